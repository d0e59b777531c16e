//! `CREATE INDEX` text for plain-column indexes, put together on the client exactly as
//! `pg_get_indexdef` prints it (PostgreSQL's `ruleutils.c`), because the server's version
//! spends most of its time finding each column's default operator class.
//!
//! The catalog query leaves this only the indexes whose keys are all plain columns, with
//! no predicate, no storage or operator-class options, a built-in access method, and no
//! `UNIQUE` other than a primary key's; everything else comes printed by the server. The
//! integration tests compare the two texts for every index they create.

use std::collections::{HashMap, HashSet};

use super::rows::{CollationRow, IndexColumn, IndexRow, Oid, OpclassRow};

/// `pg_index.indoption` bits.
const DESC: i16 = 1;
const NULLS_FIRST: i16 = 2;

/// Operator classes and collations by oid, and which (method, type) pairs have a default
/// operator class of their own.
pub struct Lookup<'a> {
    opclasses: HashMap<Oid, &'a OpclassRow>,
    defaults: HashSet<(Oid, Oid)>,
    collations: HashMap<Oid, &'a CollationRow>,
}

impl<'a> Lookup<'a> {
    pub fn new(opclasses: &'a [OpclassRow], collations: &'a [CollationRow]) -> Lookup<'a> {
        Lookup {
            opclasses: opclasses.iter().map(|o| (o.oid, o)).collect(),
            defaults: opclasses
                .iter()
                .filter(|o| o.default)
                .map(|o| (o.method, o.input_type))
                .collect(),
            collations: collations.iter().map(|c| (c.oid, c)).collect(),
        }
    }

    /// Whether the server would leave the operator class out: it is the default one the
    /// server picks for the column's type (`GetDefaultOpClass`: the exact type's default,
    /// else the one default that accepts it, e.g. `text_ops` for `varchar`).
    fn is_default_opclass(&self, class: &OpclassRow, column_type: Oid) -> bool {
        class.default
            && (class.input_type == column_type
                || !self.defaults.contains(&(class.method, column_type)))
    }

    /// The definition of a plain-column index. Names come quoted by the server
    /// (`quote_ident`), so keywords and case are handled exactly as it handles them.
    pub fn build(&self, x: &IndexRow, columns: &HashMap<(Oid, i16), IndexColumn>) -> String {
        let mut def = format!(
            "CREATE {}INDEX {} (",
            if x.unique { "UNIQUE " } else { "" },
            x.head
        );
        let key_count = x.key_count.max(0) as usize;
        for (k, &attnum) in x.keys.iter().enumerate() {
            if k == key_count {
                def.push_str(") INCLUDE (");
            } else if k > 0 {
                def.push_str(", ");
            }
            let Some(column) = columns.get(&(x.rel, attnum)) else {
                def.push_str(&format!("#{attnum}"));
                continue;
            };
            def.push_str(&column.quoted);
            if k >= key_count {
                continue;
            }
            if let Some(c) = x
                .collations
                .get(k)
                .filter(|coll| coll.0 != 0 && **coll != column.collation)
                .and_then(|coll| self.collations.get(coll))
            {
                def.push_str(" COLLATE ");
                def.push_str(&c.name);
            }
            if let Some(class) = x
                .classes
                .get(k)
                .and_then(|c| self.opclasses.get(c))
                .filter(|class| !self.is_default_opclass(class, column.type_oid))
            {
                def.push(' ');
                def.push_str(&class.name);
            }
            if x.method == "btree" {
                let option = x.options.get(k).copied().unwrap_or(0);
                if option & DESC != 0 {
                    def.push_str(" DESC");
                    if option & NULLS_FIRST == 0 {
                        def.push_str(" NULLS LAST");
                    }
                } else if option & NULLS_FIRST != 0 {
                    def.push_str(" NULLS FIRST");
                }
            }
        }
        def.push(')');
        def
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(oid: u32, name: &str, input_type: u32, default: bool) -> OpclassRow {
        OpclassRow {
            oid: Oid(oid),
            name: name.into(),
            method: Oid(403),
            input_type: Oid(input_type),
            default,
        }
    }

    #[test]
    fn builds_keys_with_collation_opclass_order_and_include() {
        let classes = vec![
            class(1, "text_ops", 25, true),
            class(2, "text_pattern_ops", 25, false),
            class(3, "varchar_ops", 1043, false),
        ];
        let collations = vec![CollationRow {
            oid: Oid(950),
            name: "\"C\"".into(),
        }];
        let lookup = Lookup::new(&classes, &collations);
        let col = |quoted: &str, type_oid: u32| IndexColumn {
            type_oid: Oid(type_oid),
            collation: Oid(100),
            quoted: quoted.into(),
        };
        let columns: HashMap<(Oid, i16), IndexColumn> = [
            ((Oid(7), 1), col("a", 25)),
            ((Oid(7), 2), col("\"B\"", 1043)),
            ((Oid(7), 3), col("c", 25)),
        ]
        .into_iter()
        .collect();
        let index = IndexRow {
            rel: Oid(7),
            name: "i".into(),
            definition: None,
            unique: false,
            primary: false,
            keys: vec![1, 2, 3],
            key_count: 2,
            key_texts: None,
            head: "i ON public.t USING btree".into(),
            method: "btree".into(),
            classes: vec![Oid(2), Oid(1)],
            collations: vec![Oid(950), Oid(100)],
            options: vec![DESC, NULLS_FIRST],
            valid: true,
        };
        assert_eq!(
            lookup.build(&index, &columns),
            "CREATE INDEX i ON public.t USING btree (a COLLATE \"C\" text_pattern_ops DESC NULLS LAST, \"B\" NULLS FIRST) INCLUDE (c)"
        );
    }
}
