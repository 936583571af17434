/** Parses SVG with a real XML parser (python3's ElementTree in a child process), for tests of what labbook draws. */
import { spawnSync } from 'node:child_process';

export interface SvgElement {
  tag: string;
  attrs: { [name: string]: string };
  /** The class of the <g> it sits in ('' when none). */
  group: string;
}

export interface ParsedSvg {
  /** The parser's message when the document is not well-formed XML, else null. */
  error: string | null;
  root: SvgElement | null;
  /** Every <text>'s content, entities decoded. */
  texts: string[];
  elements: SvgElement[];
}

const SCRIPT = String.raw`
import json, sys, xml.etree.ElementTree as ET
NS = '{http://www.w3.org/2000/svg}'
out = []
for doc in json.load(sys.stdin):
    try:
        root = ET.fromstring(doc)
    except ET.ParseError as e:
        out.append({'error': str(e), 'root': None, 'texts': [], 'elements': []})
        continue
    tag = lambda el: el.tag.replace(NS, '')
    elements, texts = [], []
    def walk(el, group):
        for child in el:
            t = tag(child)
            if t == 'text':
                texts.append(''.join(child.itertext()))
            elements.append({'tag': t, 'attrs': dict(child.attrib), 'group': group})
            walk(child, child.get('class', '') if t == 'g' else group)
    walk(root, '')
    out.append({'error': None, 'root': {'tag': tag(root), 'attrs': dict(root.attrib), 'group': ''}, 'texts': texts, 'elements': elements})
json.dump(out, sys.stdout)
`;

/** Parses several documents in one child process. */
export function parseSvgs(docs: readonly string[]): ParsedSvg[] {
  const result = spawnSync('python3', ['-c', SCRIPT], { input: JSON.stringify(docs), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ParsedSvg[];
}

/** The marks (`tag` elements) drawn inside groups of class `group`. */
export function marks(svg: ParsedSvg, group: string, tag: string): SvgElement[] {
  return svg.elements.filter((e) => e.group === group && e.tag === tag);
}
