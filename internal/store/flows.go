package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Flows implements flow.Store.
type Flows struct{ q *stmtCache }

// NewFlows returns the flow storage of db.
func NewFlows(db *DB) *Flows { return &Flows{q: newStmtCache(db.SQL)} }

var _ flow.Store = (*Flows)(nil)

// CreateFlow stores a new flow.
func (s *Flows) CreateFlow(ctx context.Context, f flow.Flow) error {
	data, err := json.Marshal(f.Data)
	if err != nil {
		return err
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO flows (id, kind, state, client, csrf, return_to, data, attempts, version, created_at, updated_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, f.ID, f.Kind, f.State, string(f.Client), f.CSRF, f.ReturnTo, string(data),
		f.Attempts, f.Version, f.CreatedAt.UTC(), f.UpdatedAt.UTC(), f.ExpiresAt.UTC())
	return keyTaken(err)
}

// Flow returns a flow.
func (s *Flows) Flow(ctx context.Context, id string) (*flow.Flow, error) {
	var f flow.Flow
	var client, data string
	err := s.q.QueryRowContext(ctx, `SELECT id, kind, state, client, csrf, return_to, data, attempts, version, created_at, updated_at, expires_at
		FROM flows WHERE id = $1`, id).Scan(&f.ID, &f.Kind, &f.State, &client, &f.CSRF, &f.ReturnTo, &data, &f.Attempts, &f.Version,
		&f.CreatedAt, &f.UpdatedAt, &f.ExpiresAt)
	if err != nil {
		return nil, notFound(err)
	}
	f.Client = flow.Client(client)
	f.CreatedAt, f.UpdatedAt, f.ExpiresAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC(), f.ExpiresAt.UTC()
	if err := json.Unmarshal([]byte(data), &f.Data); err != nil {
		return nil, err
	}
	return &f, nil
}

// UpdateFlow stores a flow's new state if nobody changed it since it was read.
func (s *Flows) UpdateFlow(ctx context.Context, f flow.Flow) error {
	data, err := json.Marshal(f.Data)
	if err != nil {
		return err
	}
	err = affected(s.q.ExecContext(ctx, `UPDATE flows SET state = $1, csrf = $2, return_to = $3, data = $4, attempts = $5, version = version + 1,
		updated_at = $6, expires_at = $7 WHERE id = $8 AND version = $9`, f.State, f.CSRF, f.ReturnTo, string(data), f.Attempts, f.UpdatedAt.UTC(),
		f.ExpiresAt.UTC(), f.ID, f.Version))
	if err == storeerr.ErrNotFound {
		return storeerr.ErrConflict
	}
	return err
}

// DeleteFlow removes a flow.
func (s *Flows) DeleteFlow(ctx context.Context, id string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM flows WHERE id = $1`, id)
	return err
}

// DeleteExpiredFlows removes the flows that expired before before.
func (s *Flows) DeleteExpiredFlows(ctx context.Context, before time.Time) (int, error) {
	res, err := s.q.ExecContext(ctx, `DELETE FROM flows WHERE expires_at < $1`, before.UTC())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
