import { sql, type Kysely } from 'kysely';

/**
 * `consent.append_chain_batches`: batches of several sites' chains in one call (ADR 0012). For each
 * site the head moves from the expected (seq, hash) to the batch's last record only if it is still there
 * and none of the batch's idempotency keys is stored; then the records, their keys (with the answers)
 * and their outbox rows are inserted. Otherwise nothing of that site's batch is written and the stored
 * keys among its keys come back. A function rather than a statement built by the client: its
 * statements are planned once per connection, not once per call, and the heads are moved in site
 * order, each with index lookups, before the rows of all moved sites are inserted. The batches come as one jsonb value: parsed once, then read in
 * binary (json would be parsed again at every access).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function consent.append_chain_batches(p_batches jsonb)
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
           and not exists (select 1 from consent.idempotency_keys k where k.site = b.site and k.key = any(b.keys));
        if found then
          v_moved := v_moved || b.site;
        else
          batch_site := b.site;
          appended := false;
          stored := (select json_agg(json_build_object('key', k.key, 'request_hash', k.request_hash, 'response', k.response))
                       from consent.idempotency_keys k where k.site = b.site and k.key = any(b.keys));
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
      insert into consent.idempotency_keys (site, key, request_hash, response)
      select x.site, k.key, k.request_hash, k.response
        from jsonb_to_recordset(p_batches) as x(site text, key_rows jsonb),
             jsonb_to_recordset(x.key_rows) as k(key text, request_hash text, response jsonb)
       where x.site = any(v_moved);
      insert into consent.outbox (id, stream, envelope)
      select o.id, o.stream, o.envelope
        from jsonb_to_recordset(p_batches) as x(site text, outbox jsonb),
             jsonb_to_recordset(x.outbox) as o(id uuid, stream text, envelope jsonb)
       where x.site = any(v_moved);
      return query select m, true, null::json from unnest(v_moved) as m;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function consent.append_chain_batches(jsonb)`.execute(db);
}
