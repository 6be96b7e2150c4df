// An Environment Factory for a clinic domain on the official TypeScript SDK (@autonoma-ai/sdk
// 0.2.5, zod 4 input schemas), its `handleRequest` mounted on node:http as the SDK's node adapter
// does (at PATH, no trailing slash), writing to PostgreSQL with real foreign keys and integer,
// bigint and uuid ids. Scenario Lab's end-to-end tests start it with:
//   PORT, DATABASE_URL, AUTONOMA_SHARED_SECRET, AUTONOMA_SIGNING_SECRET, DEFECT (one at a time):
//   no_teardown       Appointment has no teardown: its rows stay after down
//   extra_rows        Clinic teardown forgets the audit_log row its create wrote
//   delete_unrelated  Doctor teardown also deletes an unrelated, pre-existing doctor
//   no_refs_token     up answers 200 without refsToken
//   cold_start        the first two requests answer 503 (a cold start)
//   down_fails_once   the first down answers 500 (the teardown can be retried later)
import http from 'node:http';
import pg from 'pg';
import { z } from 'zod';
import { defineFactory, handleRequest } from '@autonoma-ai/sdk';

const DEFECT = process.env.DEFECT ?? '';
const PATH = process.env.MOUNT_PATH ?? '/api/autonoma';
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });

await pool.query(`
  CREATE EXTENSION IF NOT EXISTS pgcrypto;
  CREATE TABLE IF NOT EXISTS clinic (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL, slug text NOT NULL UNIQUE);
  CREATE TABLE IF NOT EXISTS audit_log (id serial PRIMARY KEY, clinic_id uuid NOT NULL, event text NOT NULL);
  CREATE TABLE IF NOT EXISTS doctor (id bigserial PRIMARY KEY, clinic_id uuid REFERENCES clinic(id), name text NOT NULL, accepts_new_patients boolean NOT NULL);
  CREATE TABLE IF NOT EXISTS patient (id serial PRIMARY KEY, clinic_id uuid NOT NULL REFERENCES clinic(id), name text NOT NULL, email text NOT NULL UNIQUE, doctor_id bigint REFERENCES doctor(id));
  CREATE TABLE IF NOT EXISTS appointment (id serial PRIMARY KEY, clinic_id uuid NOT NULL REFERENCES clinic(id), doctor_id bigint NOT NULL REFERENCES doctor(id), patient_id integer NOT NULL REFERENCES patient(id), duration_minutes integer NOT NULL);
  DELETE FROM doctor WHERE name = 'Pre-existing doctor';
  INSERT INTO doctor (clinic_id, name, accepts_new_patients) VALUES (NULL, 'Pre-existing doctor', false);
`);

const one = async (sql, params) => (await pool.query(sql, params)).rows[0];

const factories = {
  Clinic: defineFactory({
    inputSchema: z.object({ name: z.string(), slug: z.string() }),
    create: async (data) => {
      const row = await one('INSERT INTO clinic (name, slug) VALUES ($1, $2) RETURNING id', [data.name, data.slug]);
      // Side effect of ClinicService.create: an audit entry.
      await pool.query("INSERT INTO audit_log (clinic_id, event) VALUES ($1, 'clinic created')", [row.id]);
      return { id: row.id, ...data };
    },
    teardown: async (record) => {
      if (DEFECT !== 'extra_rows') await pool.query('DELETE FROM audit_log WHERE clinic_id = $1', [record.id]);
      await pool.query('DELETE FROM clinic WHERE id = $1', [record.id]);
    },
  }),
  Doctor: defineFactory({
    inputSchema: z.object({ clinicId: z.uuid(), name: z.string(), acceptsNewPatients: z.boolean() }),
    create: async (data) => {
      const row = await one(
        'INSERT INTO doctor (clinic_id, name, accepts_new_patients) VALUES ($1, $2, $3) RETURNING id',
        [data.clinicId, data.name, data.acceptsNewPatients],
      );
      return { id: row.id, ...data }; // bigint: node-postgres returns it as a string
    },
    teardown: async (record) => {
      await pool.query('DELETE FROM doctor WHERE id = $1', [record.id]);
      if (DEFECT === 'delete_unrelated') await pool.query("DELETE FROM doctor WHERE name = 'Pre-existing doctor'");
    },
  }),
  Patient: defineFactory({
    inputSchema: z.object({
      clinicId: z.uuid(),
      name: z.string(),
      email: z.string(),
      doctorId: z.string().optional(),
    }),
    create: async (data) => {
      const row = await one(
        'INSERT INTO patient (clinic_id, name, email, doctor_id) VALUES ($1, $2, $3, $4) RETURNING id',
        [data.clinicId, data.name, data.email, data.doctorId ?? null],
      );
      return { id: row.id, ...data };
    },
    teardown: async (record) => {
      await pool.query('DELETE FROM patient WHERE id = $1', [record.id]);
    },
  }),
  Appointment: defineFactory({
    inputSchema: z.object({
      clinicId: z.uuid(),
      doctorId: z.string(),
      patientId: z.number().int(),
      durationMinutes: z.number().int(),
    }),
    create: async (data) => {
      const row = await one(
        'INSERT INTO appointment (clinic_id, doctor_id, patient_id, duration_minutes) VALUES ($1, $2, $3, $4) RETURNING id',
        [data.clinicId, data.doctorId, data.patientId, data.durationMinutes],
      );
      return { id: row.id, ...data };
    },
    teardown: DEFECT === 'no_teardown' ? undefined : async (record) => {
      await pool.query('DELETE FROM appointment WHERE id = $1', [record.id]);
    },
  }),
};

const config = {
  scopeField: 'clinicId',
  sharedSecret: process.env.AUTONOMA_SHARED_SECRET,
  signingSecret: process.env.AUTONOMA_SIGNING_SECRET,
  factories,
  sdk: { language: 'typescript', orm: 'unknown', server: 'node' },
  auth: (_user, { scopeValue, refs }) => {
    const patient = refs.Patient?.[0];
    return {
      headers: { 'X-Clinic': String(scopeValue) },
      ...(patient ? { credentials: { email: patient.email, password: 'Patient123!' } } : {}),
    };
  },
};

let coldStarts = DEFECT === 'cold_start' ? 2 : 0;
let failingDowns = DEFECT === 'down_fails_once' ? 1 : 0;

const send = (res, status, body, type = 'application/json') => {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString('utf8');
  if (coldStarts > 0) {
    coldStarts -= 1;
    return send(res, 503, 'upstream is waking up', 'text/plain');
  }
  if (req.method !== 'POST' || req.url !== PATH) return send(res, 404, 'Not Found', 'text/plain');
  if (failingDowns > 0 && body.includes('"action":"down"')) {
    failingDowns -= 1;
    return send(res, 500, { error: 'connection terminated', code: 'INTERNAL_ERROR' });
  }
  const answer = await handleRequest(config, { body, headers: req.headers });
  if (DEFECT === 'no_refs_token' && answer.body && typeof answer.body === 'object') delete answer.body.refsToken;
  send(res, answer.status, answer.body);
});
server.listen(Number(process.env.PORT), '127.0.0.1');
