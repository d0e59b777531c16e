//! Aggregate views (SPEC.md top-level `materialized_views`): a materialized view over one
//! designed table, grouped by some of its columns and optionally by a time bucket, with
//! count / sum / avg / min / max columns, a unique index over its group so it can be
//! refreshed `CONCURRENTLY`, its readers, and an optional `pg_cron` refresh schedule.
//!
//! A materialized view holds a copy of the rows it aggregates: row-level security on the
//! source table does not apply to whoever reads the view. So nobody reads it but the roles
//! the design names in `readers`.

use serde::{Deserialize, Serialize};

use super::indexes::{IndexableColumn, find_column, indexable_columns};
use super::model::Design;
use super::names::{NameKind, derive_db_name, fit_identifier};

/// One aggregate view, as the view wizard writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterializedView {
    /// The human name; the view's PostgreSQL name is derived from it like a table's.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_name: Option<String>,
    /// The designed table aggregated (its `db_name` or `name`).
    pub source: String,
    /// Columns grouped by (field names or column names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_by: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_bucket: Option<TimeBucket>,
    #[serde(default)]
    pub aggregates: Vec<ViewAggregate>,
    /// Roles that may `SELECT` from the view; empty: nobody through the API.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readers: Vec<String>,
    /// A `pg_cron` schedule (`*/15 * * * *`); none: refreshed by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<String>,
}

/// `date_trunc(unit, field)`: rows grouped by the minute, hour, day, … they fall in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeBucket {
    pub field: String,
    pub unit: BucketUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BucketUnit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl BucketUnit {
    pub const ALL: [BucketUnit; 7] = [
        BucketUnit::Minute,
        BucketUnit::Hour,
        BucketUnit::Day,
        BucketUnit::Week,
        BucketUnit::Month,
        BucketUnit::Quarter,
        BucketUnit::Year,
    ];
    pub const NAMES: [&'static str; 7] =
        ["minute", "hour", "day", "week", "month", "quarter", "year"];

    /// Its name in a design file, in `date_trunc` and as the view's column.
    pub fn key(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|u| *u == self).unwrap_or(0)]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewAggregate {
    pub function: AggregateFunction,
    /// The column aggregated; `count` without one counts rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregateFunction {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

impl AggregateFunction {
    pub const ALL: [AggregateFunction; 5] = [
        AggregateFunction::Count,
        AggregateFunction::Sum,
        AggregateFunction::Avg,
        AggregateFunction::Min,
        AggregateFunction::Max,
    ];
    pub const NAMES: [&'static str; 5] = ["count", "sum", "avg", "min", "max"];

    pub fn key(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|f| *f == self).unwrap_or(0)]
    }

    pub fn from_key(key: &str) -> Option<AggregateFunction> {
        Self::NAMES
            .iter()
            .position(|n| *n == key)
            .map(|i| Self::ALL[i])
    }

    /// Whether it takes `sql_type` (a column type as DDL writes it).
    pub fn accepts(self, sql_type: &str) -> bool {
        match self {
            AggregateFunction::Count => true,
            AggregateFunction::Sum | AggregateFunction::Avg => is_numeric(sql_type),
            AggregateFunction::Min | AggregateFunction::Max => {
                !matches!(sql_type, "json" | "jsonb" | "boolean")
            }
        }
    }
}

fn is_numeric(sql_type: &str) -> bool {
    let base = sql_type.split('(').next().unwrap_or("").trim();
    matches!(
        base,
        "numeric"
            | "decimal"
            | "bigint"
            | "integer"
            | "int"
            | "int4"
            | "int8"
            | "smallint"
            | "int2"
            | "real"
            | "double precision"
            | "float8"
            | "float4"
            | "interval"
            | "money"
    )
}

fn is_time(sql_type: &str) -> bool {
    let base = sql_type.split('(').next().unwrap_or("").trim();
    matches!(
        base,
        "timestamptz" | "timestamp with time zone" | "timestamp" | "date"
    ) || base.starts_with("timestamp")
}

/// Whether a column of `sql_type` can be bucketed by `date_trunc`.
pub fn is_time_type(sql_type: &str) -> bool {
    is_time(sql_type)
}

/// The `pg_cron` job name of a view's refresh: one per view, so applying again replaces it.
pub fn refresh_job_name(schema: &str, view: &str) -> String {
    format!("schemaforge refresh {schema}.{view}")
}

impl MaterializedView {
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> MaterializedView {
        MaterializedView {
            name: name.into(),
            db_name: None,
            source: source.into(),
            group_by: Vec::new(),
            time_bucket: None,
            aggregates: vec![ViewAggregate {
                function: AggregateFunction::Count,
                field: None,
            }],
            readers: Vec::new(),
            refresh: None,
        }
    }

    /// The view's PostgreSQL name: `db_name`, or derived from `name` as a table's is.
    pub fn view_db_name(&self) -> String {
        self.db_name
            .clone()
            .unwrap_or_else(|| derive_db_name(&self.name, NameKind::Table))
    }
}

impl ViewAggregate {
    /// The view's column: `count`, `sum_amount`, `max_due_date`, …
    pub fn column_name(&self, field_column: Option<&str>) -> String {
        match field_column {
            None => self.function.key().to_owned(),
            Some(column) => fit_identifier(&format!("{}_{column}", self.function.key())),
        }
    }
}

/// What the planner builds a view from: every name worked out.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedMaterializedView {
    pub db_name: String,
    pub source_db_name: String,
    /// The output columns, in order: (column name, the SQL computing it, whether it is a key).
    pub columns: Vec<ViewOutput>,
    pub readers: Vec<String>,
    pub refresh: Option<String>,
    /// The unique index over the key columns: `<view>_group_key`.
    pub index_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ViewOutput {
    pub name: String,
    pub kind: OutputKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OutputKind {
    Bucket {
        unit: BucketUnit,
        column: String,
    },
    Group {
        column: String,
    },
    Aggregate {
        function: AggregateFunction,
        column: Option<String>,
    },
}

impl ViewOutput {
    pub fn is_key(&self) -> bool {
        !matches!(self.kind, OutputKind::Aggregate { .. })
    }
}

/// The source table's columns, when `source` names a designed table.
pub fn source_columns(design: &Design, source: &str) -> Option<(String, Vec<IndexableColumn>)> {
    let ti = design.find_table(source)?;
    Some((
        design.tables[ti].db_name().into_owned(),
        indexable_columns(design, ti),
    ))
}

/// The view as the planner needs it; `None` when a reference does not resolve (validation
/// has said which).
pub fn resolve_view(design: &Design, view: &MaterializedView) -> Option<ResolvedMaterializedView> {
    let (source_db_name, columns) = source_columns(design, &view.source)?;
    let column = |reference: &str| find_column(&columns, reference).map(|c| c.db_name.clone());
    let mut outputs = Vec::new();
    if let Some(bucket) = &view.time_bucket {
        outputs.push(ViewOutput {
            name: bucket.unit.key().to_owned(),
            kind: OutputKind::Bucket {
                unit: bucket.unit,
                column: column(&bucket.field)?,
            },
        });
    }
    for reference in &view.group_by {
        let c = column(reference)?;
        outputs.push(ViewOutput {
            name: c.clone(),
            kind: OutputKind::Group { column: c },
        });
    }
    for aggregate in &view.aggregates {
        let c = match &aggregate.field {
            Some(reference) => Some(column(reference)?),
            None => None,
        };
        outputs.push(ViewOutput {
            name: aggregate.column_name(c.as_deref()),
            kind: OutputKind::Aggregate {
                function: aggregate.function,
                column: c,
            },
        });
    }
    let db_name = view.view_db_name();
    Some(ResolvedMaterializedView {
        index_name: fit_identifier(&format!("{db_name}_group_key")),
        db_name,
        source_db_name,
        columns: outputs,
        readers: view.readers.clone(),
        refresh: view.refresh.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_wizard_shape_round_trips_and_names_its_columns() {
        let value = json!({
            "name": "Todos per day", "source": "todos", "group_by": ["status"],
            "time_bucket": {"field": "created_at", "unit": "day"},
            "aggregates": [{"function": "count"}, {"function": "sum", "field": "amount"}],
            "readers": ["authenticated"], "refresh": "*/15 * * * *"
        });
        let view: MaterializedView = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&view).unwrap(), value);
        assert_eq!(view.view_db_name(), "todos_per_day");
        let design: Design = serde_json::from_value(json!({
            "tables": [{"name": "todos", "fields": [
                {"name": "status", "type": "singleLineText"},
                {"name": "amount", "type": "number"}
            ]}]
        }))
        .unwrap();
        let resolved = resolve_view(&design, &view).unwrap();
        let names: Vec<&str> = resolved.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["day", "status", "count", "sum_amount"]);
        assert_eq!(resolved.index_name, "todos_per_day_group_key");
        assert!(AggregateFunction::Sum.accepts("numeric(19,4)"));
        assert!(!AggregateFunction::Sum.accepts("text"));
        assert!(!AggregateFunction::Max.accepts("jsonb"));
    }
}
