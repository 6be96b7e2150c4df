//! Read-only database checks: the connection itself refuses writes; only generated SELECTs with
//! quoted identifiers are sent.

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

const CATALOG_SQLITE: &str =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1";
const CATALOG_MYSQL: &str = "SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1";

/// The first column of every row, as text.
fn strings<R: Row>(rows: Vec<R>) -> Vec<String>
where
    usize: sqlx::ColumnIndex<R>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    rows.iter().map(|r| r.get::<String, _>(0)).collect()
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

    /// The user tables.
    pub async fn catalog(&self) -> Result<Vec<String>, DbError> {
        let rows: Vec<String> = match self {
            ReadOnlyDb::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(query_error)?;
                sqlx::query("SET TRANSACTION READ ONLY")
                    .execute(&mut *tx)
                    .await
                    .map_err(query_error)?;
                let rows = sqlx::query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(query_error)?;
                tx.rollback().await.map_err(query_error)?;
                rows.iter().map(|r| r.get::<String, _>(0)).collect()
            }
            ReadOnlyDb::Sqlite(pool) => strings(
                sqlx::query(CATALOG_SQLITE)
                    .fetch_all(pool)
                    .await
                    .map_err(query_error)?,
            ),
            ReadOnlyDb::MySql(pool) => strings(
                sqlx::query(CATALOG_MYSQL)
                    .fetch_all(pool)
                    .await
                    .map_err(query_error)?,
            ),
        };
        Ok(rows)
    }

    fn quote(&self, name: &str) -> String {
        match self {
            ReadOnlyDb::MySql(_) => quote_ident_mysql(name),
            _ => quote_ident(name),
        }
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
                let mut tx = pool.begin().await.map_err(query_error)?;
                sqlx::query("SET TRANSACTION READ ONLY")
                    .execute(&mut *tx)
                    .await
                    .map_err(query_error)?;
                let row = sqlx::query(&sql)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(query_error)?;
                tx.rollback().await.map_err(query_error)?;
                (0..tables.len()).map(|i| row.get::<i64, _>(i)).collect()
        });
        Ok(tables.iter().cloned().zip(values).collect())
    }

    /// Which of `ids` exist in `table.id_column` (one query).
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
        on_sqlite_or_mysql!(self, pool => {
            let sql = self.id_query(&column, &table, ids.len());
            let mut query = sqlx::query(&sql);
            for id in ids {
                query = query.bind(id);
            }
            let rows = query.fetch_all(pool).await.map_err(query_error)?;
            Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
        }, postgres pool => {
            let sql =
                format!("SELECT {column}::text FROM {table} WHERE {column}::text = ANY($1)");
            let mut tx = pool.begin().await.map_err(query_error)?;
            sqlx::query("SET TRANSACTION READ ONLY")
                .execute(&mut *tx)
                .await
                .map_err(query_error)?;
            let rows = sqlx::query(&sql)
                .bind(ids)
                .fetch_all(&mut *tx)
                .await
                .map_err(query_error)?;
            tx.rollback().await.map_err(query_error)?;
            Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
        })
    }

    /// `SELECT id ... WHERE id IN (?, ...)` with the dialect's text cast (SQLite and MySQL).
    fn id_query(&self, column: &str, table: &str, count: usize) -> String {
        let text = if matches!(self, ReadOnlyDb::MySql(_)) {
            "CHAR"
        } else {
            "TEXT"
        };
        let placeholders = vec!["?"; count].join(", ");
        format!(
            "SELECT CAST({column} AS {text}) FROM {table} WHERE CAST({column} AS {text}) IN ({placeholders})"
        )
    }

    /// Tries a write through this connection; used by the tests to prove writes are refused.
    pub async fn try_write(&self, sql: &str) -> Result<(), DbError> {
        on_sqlite_or_mysql!(self, pool => sqlx::query(sql).execute(pool).await.map(|_| ()).map_err(query_error),
            postgres pool => sqlx::query(sql).execute(pool).await.map(|_| ()).map_err(query_error))
    }
}
