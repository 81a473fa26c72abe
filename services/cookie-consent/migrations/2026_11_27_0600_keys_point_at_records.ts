import { sql, type Kysely } from 'kysely';
import { up as createPreviousFunction } from './2026_11_27_0130_append_chain_batches';

/**
 * Two changes to `consent.append_chain_batches` (ADR 0017):
 * - Each idempotency key is looked up by the whole primary key. The function used to ask
 *   `site = $1 and key = any($2)`; PL/pgSQL keeps one plan per connection, and a plan made while the
 *   table was small (or never analysed) used only `site` in the index condition and filtered the keys,
 *   so each call read every key of the site and appends slowed down as the table grew. A LATERAL
 *   probe with LIMIT cannot become a join: it is one index lookup per key, whatever the statistics say.
 * - A key stores the id of the record its request wrote instead of the whole answer (a receipt is
 *   about 1 KB): a replay reads the record and signs its receipt again. Keys stored before keep their
 *   answer, and it is what their replays get.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table consent.idempotency_keys add column record_id uuid`.execute(db);
  await sql`
    create or replace function consent.append_chain_batches(p_batches jsonb)
    returns table (batch_site text, appended boolean, stored json) language plpgsql as $$
    declare
      b record;
      v_moved text[] := '{}';
    begin
      -- One site at a time, in site order (so two calls never wait on each other in a cycle), with
      -- index lookups: move the head if it is still where the batch expects and no key is stored.
      for b in select * from jsonb_to_recordset(p_batches) as x(site text, from_seq bigint, from_hash text, to_seq bigint,
                                                                to_hash text, keys text[]) order by x.site loop
        update consent.chain_heads h set seq = b.to_seq, hash = b.to_hash
         where h.site = b.site and h.seq = b.from_seq and h.hash = b.from_hash
           and not exists (select 1 from unnest(b.keys) as u(key),
                                lateral (select 1 from consent.idempotency_keys k where k.site = b.site and k.key = u.key limit 1) as hit);
        if found then
          v_moved := v_moved || b.site;
        else
          batch_site := b.site;
          appended := false;
          stored := (select json_agg(json_build_object('key', s.key, 'request_hash', s.request_hash, 'response', s.response,
                                                       'record', (select to_json(r) from consent.records r where r.id = s.record_id)))
                       from unnest(b.keys) as u(key),
                            lateral (select k.key, k.request_hash, k.response, k.record_id from consent.idempotency_keys k
                                      where k.site = b.site and k.key = u.key limit 1) as s);
          return next;
        end if;
      end loop;
      if cardinality(v_moved) = 0 then
        return;
      end if;
      -- Then the moved sites' rows, a statement per table for all of them.
      insert into consent.records (id, site, seq, consent_id, revision, config_hash, action, accepted, rejected, services, language,
                                   page_url, gpc, ip_hash, ip_prefix, user_agent, recorded_at, prev_hash, hash)
      select r.id, x.site, r.seq, r.consent_id, r.revision, r.config_hash, r.action, r.accepted, r.rejected, r.services, r.language,
             r.page_url, r.gpc, r.ip_hash, r.ip_prefix, r.user_agent, r.recorded_at, r.prev_hash, r.hash
        from jsonb_to_recordset(p_batches) as x(site text, records jsonb),
             jsonb_to_recordset(x.records) as r(id uuid, seq bigint, consent_id uuid, revision integer, config_hash text, action text,
             accepted jsonb, rejected jsonb, services jsonb, language text, page_url text, gpc boolean, ip_hash text, ip_prefix text,
             user_agent text, recorded_at timestamptz, prev_hash text, hash text)
       where x.site = any(v_moved);
      insert into consent.idempotency_keys (site, key, request_hash, record_id)
      select x.site, k.key, k.request_hash, k.record_id
        from jsonb_to_recordset(p_batches) as x(site text, key_rows jsonb),
             jsonb_to_recordset(x.key_rows) as k(key text, request_hash text, record_id uuid)
       where x.site = any(v_moved);
      insert into consent.outbox (id, stream, envelope)
      select o.id, o.stream, o.envelope
        from jsonb_to_recordset(p_batches) as x(site text, outbox jsonb),
             jsonb_to_recordset(x.outbox) as o(id uuid, stream text, envelope jsonb)
       where x.site = any(v_moved);
      return query select m, true, null::json from unnest(v_moved) as m;
    end $$`.execute(db);
}

/** The function as 2026_11_27_0130 made it comes back when that migration's `up` runs again. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function consent.append_chain_batches(jsonb)`.execute(db);
  await sql`alter table consent.idempotency_keys drop column record_id`.execute(db);
  await createPreviousFunction(db);
}
