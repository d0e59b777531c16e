//! A synthetic Supabase-style schema, shared by the fidelity test and the inspect benchmark
//! (which includes this file by path).
//!
//! The tables are built on the server by `DO` blocks, a batch of tables per block, so even
//! 5,000 tables take one round trip per batch and no batch holds too many locks.

/// The trigger function every synthetic table calls; created once before the tables.
pub const PRELUDE: &str = "
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE OR REPLACE FUNCTION public.set_updated_at() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  NEW.updated_at = now();
  NEW.updated_by = auth.uid();
  RETURN NEW;
END
$$;
";

/// Tables per `DO` block: each table takes about ten locks, and the default lock table
/// holds 64 per connection slot.
pub const BATCH: usize = 250;

/// The SQL that creates tables `first..first + count` (named `t1`, `t2`, ...), each with 15
/// columns, 0–2 foreign keys (table `i` has `i % 3`), three CHECK constraints, four indexes,
/// four policies for `authenticated` and an `updated_at` trigger.
pub fn batch(first: usize, count: usize) -> String {
    let last = first + count - 1;
    format!(
        r#"DO $gen$
DECLARE
  i int;
  t text;
BEGIN
  FOR i IN {first}..{last} LOOP
    t := 't' || i;
    EXECUTE format($sql$
      CREATE TABLE public.%1$I (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid DEFAULT auth.uid() %2$s,
        updated_by uuid,
        title text NOT NULL CHECK (char_length(title) <= 200),
        body text,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'archived')),
        amount numeric(19,4),
        rating smallint CHECK (rating BETWEEN 0 AND 5),
        due date,
        done boolean NOT NULL DEFAULT false,
        tags text[],
        meta jsonb NOT NULL DEFAULT '{{}}'::jsonb,
        parent_id uuid %3$s
      );
      COMMENT ON TABLE public.%1$I IS %4$L;
      CREATE INDEX %5$I ON public.%1$I (created_by);
      CREATE INDEX %6$I ON public.%1$I (status, due);
      CREATE UNIQUE INDEX %7$I ON public.%1$I (lower(title)) WHERE NOT done;
      ALTER TABLE public.%1$I ENABLE ROW LEVEL SECURITY;
      CREATE POLICY "owner select" ON public.%1$I FOR SELECT TO authenticated
        USING (created_by = (SELECT auth.uid()));
      CREATE POLICY "owner insert" ON public.%1$I FOR INSERT TO authenticated
        WITH CHECK (created_by = (SELECT auth.uid()));
      CREATE POLICY "owner update" ON public.%1$I FOR UPDATE TO authenticated
        USING (created_by = (SELECT auth.uid())) WITH CHECK (created_by = (SELECT auth.uid()));
      CREATE POLICY "owner delete" ON public.%1$I FOR DELETE TO authenticated
        USING (created_by = (SELECT auth.uid()));
      CREATE TRIGGER set_updated_at BEFORE UPDATE ON public.%1$I
        FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
    $sql$,
      t,
      CASE WHEN i % 3 >= 1 THEN 'REFERENCES auth.users (id) ON DELETE SET NULL' ELSE '' END,
      CASE WHEN i % 3 = 2 AND i > 1
        THEN format('REFERENCES public.%I (id) ON DELETE CASCADE', 't' || (i - 1)) ELSE '' END,
      'Synthetic table ' || i,
      t || '_created_by_idx',
      t || '_status_due_idx',
      t || '_open_title_key');
  END LOOP;
END
$gen$;"#
    )
}

/// Every batch for `tables` tables, in order (a table's foreign key points at the previous one).
pub fn batches(tables: usize) -> Vec<String> {
    (0..tables.div_ceil(BATCH))
        .map(|b| {
            let first = b * BATCH + 1;
            batch(first, BATCH.min(tables - b * BATCH))
        })
        .collect()
}
