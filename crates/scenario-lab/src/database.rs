//! Read-only database checks: the connection itself refuses writes; only generated SELECTs with
//! quoted identifiers are sent.

use crate::settings::Settings;
use scenario_lab_core::discover::Discover;
use scenario_lab_core::table_map::{Catalog, TableMap, map_tables};
use serde_json::{Map, Value};
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{ConnectOptions, Executor, Row};
use std::collections::BTreeMap;
use std::str::FromStr;

/// Runs the same code on SQLite and MySQL pools (their arms differ only in the pool's type).
macro_rules! on_sqlite_or_mysql {
    ($db:expr, $pool:ident => $body:expr, postgres $pg:ident => $pg_body:expr) => {
        match $db {
            ReadOnlyDb::Postgres($pg) => $pg_body,
            ReadOnlyDb::Sqlite($pool) => $body,
            ReadOnlyDb::MySql($pool) => $body,
        }
    };
}

const COLUMNS_SQLITE: &str = "SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid";
const COLUMNS_MYSQL: &str = "SELECT CAST(c.table_name AS CHAR), CAST(c.column_name AS CHAR) FROM information_schema.columns AS c JOIN information_schema.tables AS t ON t.table_schema = c.table_schema AND t.table_name = c.table_name WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position";
const COLUMNS_POSTGRES: &str = "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns AS c JOIN information_schema.tables AS t ON t.table_schema = c.table_schema AND t.table_name = c.table_name WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position";

/// Ids per `existing_ids` query on MySQL/MariaDB (placeholders are limited to 65,535).
const MYSQL_IDS_PER_QUERY: usize = 30_000;

/// A PostgreSQL transaction that cannot write.
async fn read_only_transaction(
    pool: &PgPool,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, DbError> {
    let mut tx = pool.begin().await.map_err(query_error)?;
    sqlx::query("SET TRANSACTION READ ONLY")
        .execute(&mut *tx)
        .await
        .map_err(query_error)?;
    Ok(tx)
}

/// Row counts of every table, at one moment.
pub type TableCounts = BTreeMap<String, i64>;

/// A connection pool that cannot write.
#[derive(Clone, Debug)]
pub enum ReadOnlyDb {
    /// `default_transaction_read_only=on` for the session; every query runs in a READ ONLY transaction.
    Postgres(PgPool),
    /// Opened with `mode=ro`.
    Sqlite(SqlitePool),
    /// MySQL/MariaDB: `SET SESSION TRANSACTION READ ONLY` on every connection.
    MySql(MySqlPool),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database unreachable: {0}")]
    Unreachable(String),
    #[error("unsupported database URL `{0}` (use postgres://, mysql:// or sqlite:// URLs)")]
    Unsupported(String),
    #[error("query failed: {0}")]
    Query(String),
}

#[allow(clippy::needless_pass_by_value)] // a `map_err` function: takes the error by value
fn query_error(error: sqlx::Error) -> DbError {
    DbError::Query(error.to_string())
}

/// `"name"` with embedded quotes doubled: identifiers are always quoted.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `` `name` `` for MySQL, whose default SQL mode does not read double quotes as identifiers.
pub fn quote_ident_mysql(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

impl ReadOnlyDb {
    pub async fn connect(url: &str) -> Result<ReadOnlyDb, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| DbError::Unreachable(e.to_string()))?
                .options([("default_transaction_read_only", "on")])
                .disable_statement_logging();
            let pool = PgPoolOptions::new()
                .max_connections(2)
                .acquire_timeout(std::time::Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| DbError::Unreachable(e.to_string()))?;
            Ok(ReadOnlyDb::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| DbError::Unreachable(e.to_string()))?
                .read_only(true)
                .disable_statement_logging();
            let pool = SqlitePoolOptions::new()
                .max_connections(2)
                .connect_with(options)
                .await
                .map_err(|e| DbError::Unreachable(e.to_string()))?;
            Ok(ReadOnlyDb::Sqlite(pool))
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            let options = MySqlConnectOptions::from_str(&url.replacen("mariadb://", "mysql://", 1))
                .map_err(|e| DbError::Unreachable(e.to_string()))?
                .disable_statement_logging();
            let pool = MySqlPoolOptions::new()
                .max_connections(2)
                .acquire_timeout(std::time::Duration::from_secs(10))
                .after_connect(|connection, _| {
                    Box::pin(async move {
                        connection
                            .execute("SET SESSION TRANSACTION READ ONLY")
                            .await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await
                .map_err(|e| DbError::Unreachable(e.to_string()))?;
            Ok(ReadOnlyDb::MySql(pool))
        } else {
            Err(DbError::Unsupported(url.to_owned()))
        }
    }

    /// The user tables and their columns (one query).
    pub async fn catalog(&self) -> Result<Catalog, DbError> {
        let pairs: Vec<(String, String)> = on_sqlite_or_mysql!(self, pool => {
            let sql = if matches!(self, ReadOnlyDb::MySql(_)) { COLUMNS_MYSQL } else { COLUMNS_SQLITE };
            let rows = sqlx::query(sql).fetch_all(pool).await.map_err(query_error)?;
            rows.iter().map(|r| (r.get::<String, _>(0), r.get::<String, _>(1))).collect()
        }, postgres pool => {
            let mut tx = read_only_transaction(pool).await?;
            let rows = sqlx::query(COLUMNS_POSTGRES)
                .fetch_all(&mut *tx)
                .await
                .map_err(query_error)?;
            tx.rollback().await.map_err(query_error)?;
            rows.iter().map(|r| (r.get::<String, _>(0), r.get::<String, _>(1))).collect()
        });
        let mut catalog = Catalog::new();
        for (table, column) in pairs {
            catalog.entry(table).or_default().push(column);
        }
        Ok(catalog)
    }

    fn quote(&self, name: &str) -> String {
        match self {
            ReadOnlyDb::MySql(_) => quote_ident_mysql(name),
            _ => quote_ident(name),
        }
    }

    /// The first column of the first row of a read-only `sql` as a number (an ANIP pack's SQL
    /// probe); PostgreSQL runs it in a read-only transaction that is rolled back.
    pub async fn scalar(&self, sql: &str) -> Result<i64, DbError> {
        let value: i64 = on_sqlite_or_mysql!(self, pool => {
            let row = sqlx::query(sql).fetch_one(pool).await.map_err(query_error)?;
            row.try_get::<i64, _>(0).map_err(query_error)?
        }, postgres pool => {
                let mut tx = read_only_transaction(pool).await?;
                let row = sqlx::query(sql)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(query_error)?;
                tx.rollback().await.map_err(query_error)?;
                row.try_get::<i64, _>(0).map_err(query_error)?
        });
        Ok(value)
    }

    /// Row counts of `tables`, in one query.
    pub async fn counts(&self, tables: &[String]) -> Result<TableCounts, DbError> {
        if tables.is_empty() {
            return Ok(TableCounts::new());
        }
        let select = tables
            .iter()
            .map(|t| format!("(SELECT COUNT(*) FROM {})", self.quote(t)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT {select}");
        let values: Vec<i64> = on_sqlite_or_mysql!(self, pool => {
            let row = sqlx::query(&sql).fetch_one(pool).await.map_err(query_error)?;
            (0..tables.len()).map(|i| row.get::<i64, _>(i)).collect()
        }, postgres pool => {
                let mut tx = read_only_transaction(pool).await?;
                let row = sqlx::query(&sql)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(query_error)?;
                tx.rollback().await.map_err(query_error)?;
                (0..tables.len()).map(|i| row.get::<i64, _>(i)).collect()
        });
        Ok(tables.iter().cloned().zip(values).collect())
    }

    /// Which of `ids` exist in `table.id_column`: one query for any number of ids (PostgreSQL
    /// binds an array, SQLite a JSON array read by `json_each`; MySQL binds up to 30,000 per query).
    pub async fn existing_ids(
        &self,
        table: &str,
        id_column: &str,
        ids: &[String],
    ) -> Result<Vec<String>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let column = self.quote(id_column);
        let table = self.quote(table);
        match self {
            ReadOnlyDb::Postgres(pool) => {
                let sql =
                    format!("SELECT {column}::text FROM {table} WHERE {column}::text = ANY($1)");
                let mut tx = read_only_transaction(pool).await?;
                let rows = sqlx::query(&sql)
                    .bind(ids)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(query_error)?;
                tx.rollback().await.map_err(query_error)?;
                Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
            }
            ReadOnlyDb::Sqlite(pool) => {
                let sql = format!(
                    "SELECT CAST({column} AS TEXT) FROM {table} WHERE CAST({column} AS TEXT) IN (SELECT value FROM json_each(?))"
                );
                let list = serde_json::to_string(ids).unwrap_or_default();
                let rows = sqlx::query(&sql)
                    .bind(list)
                    .fetch_all(pool)
                    .await
                    .map_err(query_error)?;
                Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
            }
            ReadOnlyDb::MySql(pool) => {
                let mut found = Vec::new();
                for chunk in ids.chunks(MYSQL_IDS_PER_QUERY) {
                    let placeholders = vec!["?"; chunk.len()].join(", ");
                    let sql = format!(
                        "SELECT CAST({column} AS CHAR) FROM {table} WHERE CAST({column} AS CHAR) IN ({placeholders})"
                    );
                    let mut query = sqlx::query(&sql);
                    for id in chunk {
                        query = query.bind(id);
                    }
                    let rows = query.fetch_all(pool).await.map_err(query_error)?;
                    found.extend(rows.iter().map(|r| r.get::<String, _>(0)));
                }
                Ok(found)
            }
        }
    }

    /// Tries a write through this connection; used by the tests to prove writes are refused.
    pub async fn try_write(&self, sql: &str) -> Result<(), DbError> {
        on_sqlite_or_mysql!(self, pool => sqlx::query(sql).execute(pool).await.map(|_| ()).map_err(query_error),
            postgres pool => sqlx::query(sql).execute(pool).await.map(|_| ()).map_err(query_error))
    }
}

/// Why the database cannot be used for the checks.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    /// Connecting or reading the catalog failed.
    #[error(transparent)]
    Unreachable(#[from] DbError),
    /// `autonoma/scenario-lab.toml` names a table or column the database does not have, or the
    /// default `id` column is missing.
    #[error("{0}")]
    Settings(String),
}

/// The database as the checks use it: the read-only pool and each model's table and id column.
#[derive(Clone, Debug)]
pub struct DbContext {
    pub db: ReadOnlyDb,
    /// Model -> table.
    pub tables: BTreeMap<String, String>,
    /// Model -> id column (default `id`).
    pub id_columns: BTreeMap<String, String>,
    pub catalog: Catalog,
}

/// The ids `up` returned for one model and which of them the database holds.
#[derive(Clone, Debug)]
pub struct ModelIds {
    pub model: String,
    /// The model's table, when one was found.
    pub table: Option<String>,
    pub ids: Vec<String>,
    pub present: Vec<String>,
}

impl DbContext {
    /// Connects read-only and maps every discover model to its table (settings first, then
    /// names, then columns). Returns the context and notes for people (the mappings found by
    /// columns, the models without a table).
    pub async fn connect(
        url: &str,
        discover: Option<&Discover>,
        settings: &Settings,
    ) -> Result<(DbContext, Vec<String>), DbSetupError> {
        let db = ReadOnlyDb::connect(url).await?;
        let catalog = db.catalog().await?;
        let map = match discover {
            Some(discover) => map_tables(discover, &catalog, &settings.tables),
            None => TableMap::default(),
        };
        let context = DbContext {
            db,
            tables: map.tables.clone(),
            id_columns: settings.id_columns.clone(),
            catalog,
        };
        context.check_settings(settings)?;
        Ok((context, mapping_notes(&map)))
    }

    /// A context without a table map (conformance compares row counts only).
    pub async fn counts_only(url: &str) -> Result<DbContext, DbError> {
        let db = ReadOnlyDb::connect(url).await?;
        let catalog = db.catalog().await?;
        Ok(DbContext {
            db,
            tables: BTreeMap::new(),
            id_columns: BTreeMap::new(),
            catalog,
        })
    }

    /// Every table and id column the checks will query exists.
    fn check_settings(&self, settings: &Settings) -> Result<(), DbSetupError> {
        for (model, table) in &settings.tables {
            if !self.catalog.contains_key(table) {
                return Err(DbSetupError::Settings(format!(
                    "{}: [tables] {model} = \"{table}\": the database has no table `{table}` (tables: {})",
                    Settings::FILE,
                    list(self.catalog.keys())
                )));
            }
        }
        for (model, table) in &self.tables {
            let column = self.id_column(model);
            let columns = self
                .catalog
                .get(table)
                .map(Vec::as_slice)
                .unwrap_or_default();
            if !columns.iter().any(|c| c == column) {
                let origin = if settings.id_columns.contains_key(model) {
                    format!("{}: [id_columns] {model} = \"{column}\": ", Settings::FILE)
                } else {
                    String::new()
                };
                return Err(DbSetupError::Settings(format!(
                    "{origin}table `{table}` (model {model}) has no column `{column}` (columns: {}); set [id_columns] {model} in {}",
                    list(columns),
                    Settings::FILE
                )));
            }
        }
        Ok(())
    }

    fn id_column(&self, model: &str) -> &str {
        self.id_columns.get(model).map_or("id", String::as_str)
    }

    /// Row counts of every table.
    pub async fn snapshot(&self) -> Result<TableCounts, DbError> {
        let tables: Vec<String> = self.catalog.keys().cloned().collect();
        self.db.counts(&tables).await
    }

    /// For each model of `refs`: its ids and which of them exist (one query per mapped model).
    pub async fn found(&self, refs: &Map<String, Value>) -> Result<Vec<ModelIds>, DbError> {
        fail::fail_point!("db-found", |_| Err(DbError::Query(
            "injected by FAILPOINTS".into()
        )));
        let mut out = Vec::new();
        for (model, records) in refs {
            let ids = record_ids(records);
            let table = self.tables.get(model).cloned();
            let present = match &table {
                Some(table) => {
                    self.db
                        .existing_ids(table, self.id_column(model), &ids)
                        .await?
                }
                None => Vec::new(),
            };
            out.push(ModelIds {
                model: model.clone(),
                table,
                ids,
                present,
            });
        }
        Ok(out)
    }

    /// The models of `refs` that have a table (one query each per phase).
    pub fn mapped_models(&self, refs: &Map<String, Value>) -> usize {
        refs.keys().filter(|m| self.tables.contains_key(*m)).count()
    }
}

fn list<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.into_iter().map(String::as_str).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

fn mapping_notes(map: &TableMap) -> Vec<String> {
    let mut notes: Vec<String> = map
        .by_columns
        .iter()
        .map(|(model, table)| {
            format!(
                "note: {model} maps to table `{table}` by its columns (no table is named after it)"
            )
        })
        .collect();
    for model in &map.unmapped {
        notes.push(match map.ambiguous.get(model) {
            Some(tables) => format!(
                "note: tables {} fit {model} equally well; set [tables] {model} in {}",
                tables.join(", "),
                Settings::FILE
            ),
            None => format!(
                "note: no table found for {model} (set [tables] in {})",
                Settings::FILE
            ),
        });
    }
    notes
}

/// The ids (as text) of one model's records in an `up` answer's refs.
pub(crate) fn record_ids(records: &Value) -> Vec<String> {
    records
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| id_text(r.get("id")?))
        .collect()
}

pub(crate) fn id_text(id: &Value) -> Option<String> {
    match id {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
