/** The routes: TF Serving's REST API (/v1) and KServe v2 (/v2), health and /metrics, all answering the one served model. */
import type { Context, Hono } from 'hono';
import { LabbookError } from '../errors';
import type { AppContext } from './app';
import { inputColumns, type Served } from './model';
import { noteExamples, notePredictions } from './monitor-hook';
import { parseBody, v1Examples, v1Response } from './requests';
import { v1Metadata, v1Status, v2Metadata } from './signature';
import { v2Examples, v2Outputs } from './v2-tensors';

export function addRoutes(app: Hono, ctx: AppContext): void {
  const { served, batcher } = ctx;
  const columns = inputColumns(served);
  const check = (name: string, version?: string) => checkTarget(served, name, version);

  app.get('/v1/models/:name', (c) => (check(c.req.param('name')), c.json(v1Status(served))));
  app.get('/v1/models/:name/versions/:version', (c) => (check(c.req.param('name'), c.req.param('version')), c.json(v1Status(served))));
  app.get('/v1/models/:name/metadata', (c) => (check(c.req.param('name')), c.json(v1Metadata(served))));
  app.get('/v1/models/:name/versions/:version/metadata', (c) => (check(c.req.param('name'), c.req.param('version')), c.json(v1Metadata(served))));

  const predict = async (c: Context, text: string) => {
    const { examples, columnar } = v1Examples(parseBody(text), columns);
    noteExamples(c, examples);
    const predictions = await batcher.submit(examples);
    notePredictions(c, predictions);
    return v1Response(predictions, columnar);
  };
  // TF Serving puts the verb after a colon in the last segment: /v1/models/NAME:predict.
  app.post('/v1/models/:target', async (c) => {
    const [name] = verb(c.req.param('target'));
    check(name);
    return c.json(await predict(c, await c.req.text()));
  });
  app.post('/v1/models/:name/versions/:target', async (c) => {
    const [version] = verb(c.req.param('target'));
    check(c.req.param('name'), version);
    return c.json(await predict(c, await c.req.text()));
  });

  app.get('/v2/health/live', (c) => c.json({ live: true }));
  app.get('/v2/health/ready', (c) => (ctx.state.closing ? c.json({ ready: false }, 503) : c.json({ ready: true })));
  app.get('/v2', (c) => c.json({ name: 'labbook', version: (require('../../package.json') as { version: string }).version, extensions: [] }));
  app.get('/v2/models/:name', (c) => (check(c.req.param('name')), c.json(v2Metadata(served))));
  app.get('/v2/models/:name/versions/:version', (c) => (check(c.req.param('name'), c.req.param('version')), c.json(v2Metadata(served))));
  app.get('/v2/models/:name/ready', (c) => (check(c.req.param('name')), c.json({ name: served.name, ready: !ctx.state.closing })));
  const infer = async (c: Context, text: string) => {
    const body = parseBody(text);
    const examples = v2Examples(body, columns);
    noteExamples(c, examples);
    const predictions = await batcher.submit(examples);
    notePredictions(c, predictions);
    return { model_name: served.name, model_version: String(served.version), ...(typeof body.id === 'string' ? { id: body.id } : {}), outputs: v2Outputs(served, predictions) };
  };
  app.post('/v2/models/:name/infer', async (c) => (check(c.req.param('name')), c.json(await infer(c, await c.req.text()))));
  app.post('/v2/models/:name/versions/:version/infer', async (c) => (check(c.req.param('name'), c.req.param('version')), c.json(await infer(c, await c.req.text()))));

  app.get('/metrics', async (c) => c.text(await ctx.metrics.registry.metrics(), 200, { 'Content-Type': ctx.metrics.registry.contentType }));
}

/** "NAME:predict" to [NAME, "predict"]; any other verb (classify, regress) is not served. */
function verb(target: string): [string, string] {
  const at = target.lastIndexOf(':');
  const [name, action] = at === -1 ? [target, ''] : [target.slice(0, at), target.slice(at + 1)];
  if (action !== 'predict') {
    throw new LabbookError('NOT_FOUND', `Unknown method ${JSON.stringify(action || target)}: expected :predict (POST /v1/models/NAME:predict), received ${action ? `:${action}` : 'none'}. This server answers predict only; classify and regress are not served.`);
  }
  return [name, action];
}

/** Unknown model name or version: 404 naming the one this server has. */
function checkTarget(served: Served, name: string, version?: string): void {
  if (name !== served.name) {
    throw new LabbookError('NOT_FOUND', `Model ${JSON.stringify(name)} is not served here: expected ${JSON.stringify(served.name)} (the models served: ${served.name}), received ${JSON.stringify(name)}. Use /v1/models/${served.name} or /v2/models/${served.name}.`);
  }
  if (version !== undefined && version !== String(served.version)) {
    throw new LabbookError('NOT_FOUND', `Version ${JSON.stringify(version)} of model ${JSON.stringify(served.name)} is not served here: expected ${served.version} (the versions served), received ${JSON.stringify(version)}. Leave the version out, or start a server for that version (labbook serve ${served.name}/${version}).`);
  }
}
