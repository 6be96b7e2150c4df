// An Environment Factory with no database at all, on the official TypeScript SDK: a notes board
// that keeps its records in memory, run-scoped (`scopeField: "testRunId"`, which no model carries),
// with a read-only `GET /api/seeded/{Model}` route listing the records (what `[probes]` reads).
// Scenario Lab's end-to-end tests start it with PORT, AUTONOMA_SHARED_SECRET,
// AUTONOMA_SIGNING_SECRET and DEFECT (one at a time):
//   noop_teardown  teardowns do nothing: the records stay after down
//   remove_other   the Note teardown also removes the pre-existing welcome note
//   phantom_id     the Board factory returns an id it never stores
//   extra_record   the Board factory also stores a note it does not return
import http from 'node:http';
import { z } from 'zod';
import { defineFactory, handleRequest } from '@autonoma-ai/sdk';

const DEFECT = process.env.DEFECT ?? '';
const PATH = '/api/autonoma';
const store = { Board: new Map(), Note: new Map() };
let next = 1;
const id = (prefix) => `${prefix}-${next++}`;
store.Note.set('welcome', { id: 'welcome', boardId: null, text: 'Welcome to the board' });

const factories = {
  Board: defineFactory({
    inputSchema: z.object({ title: z.string() }),
    create: async (data) => {
      const record = { id: id('b'), ...data };
      if (DEFECT !== 'phantom_id') store.Board.set(record.id, record);
      if (DEFECT === 'extra_record') {
        const extra = { id: id('n'), boardId: record.id, text: 'hidden side effect' };
        store.Note.set(extra.id, extra);
      }
      return record;
    },
    teardown: async (record) => {
      if (DEFECT !== 'noop_teardown') store.Board.delete(String(record.id));
    },
  }),
  Note: defineFactory({
    inputSchema: z.object({ boardId: z.string(), text: z.string() }),
    create: async (data) => {
      const record = { id: id('n'), ...data };
      store.Note.set(record.id, record);
      return record;
    },
    teardown: async (record) => {
      if (DEFECT !== 'noop_teardown') store.Note.delete(String(record.id));
      if (DEFECT === 'remove_other') store.Note.delete('welcome');
    },
  }),
};

const config = {
  scopeField: 'testRunId',
  sharedSecret: process.env.AUTONOMA_SHARED_SECRET,
  signingSecret: process.env.AUTONOMA_SIGNING_SECRET,
  factories,
  sdk: { language: 'typescript', orm: 'unknown', server: 'node' },
  auth: () => ({}),
};

const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const seeded = req.method === 'GET' && req.url.match(/^\/api\/seeded\/(\w+)$/);
  if (seeded) {
    const records = store[seeded[1]];
    return records ? send(res, 200, { items: [...records.values()] }) : send(res, 404, { error: 'no such model' });
  }
  if (req.method !== 'POST' || req.url !== PATH) return send(res, 404, { error: 'Not Found' });
  const answer = await handleRequest(config, { body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
  send(res, answer.status, answer.body);
});
server.listen(Number(process.env.PORT), '127.0.0.1');
