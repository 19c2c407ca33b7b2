package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/notify"
)

// MigrateTo applies the migrations up to version: tests of a migration start from the one before.
func (db *DB) MigrateTo(ctx context.Context, version int64) error { return db.migrateTo(ctx, version) }

// InsertTaxpayerRows inserts rows of reg_taxpayers' columns (TaxpayerColumns) into table, which
// has the same columns, the way the register's bulk path inserts them: the benchmark's plain
// baseline uses it so that both sides insert alike.
func InsertTaxpayerRows(ctx context.Context, tx *sql.Tx, d Dialect, table string, rows [][]any) error {
	t := taxpayerTable
	t.name = table
	return insertRows(ctx, tx, d, t, rows)
}

// TaxpayerColumns are the columns of reg_taxpayers that a registration writes.
var TaxpayerColumns = taxpayerTable.cols

// EnqueueJobsTx enqueues jobs inside tx, as the store files that call enqueueJobs do.
func EnqueueJobsTx(ctx context.Context, tx *sql.Tx, d Dialect, specs ...jobs.Spec) error {
	return enqueueJobs(ctx, tx, d, specs...)
}

// InsertJobRows inserts the rows that enqueueing specs writes into table, which has the jobs
// table's columns, with the same statements but no ON CONFLICT clause: the benchmark's baseline.
func InsertJobRows(ctx context.Context, tx *sql.Tx, d Dialect, table string, specs []jobs.Spec) error {
	rows, err := jobRows(time.Now(), specs)
	if err != nil {
		return err
	}
	t := jobTable
	t.name, t.tail = table, ""
	return insertRows(ctx, tx, d, t, rows)
}

// SendMessagesTx stores prepared messages and their jobs inside tx, as the store files that call
// sendMessages do.
func SendMessagesTx(ctx context.Context, tx *sql.Tx, d Dialect, msgs ...notify.Message) error {
	return sendMessages(ctx, tx, d, msgs...)
}
