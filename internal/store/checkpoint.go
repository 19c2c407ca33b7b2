package store

import (
	"context"
	"sync"
	"time"
)

// SQLite's write-ahead log is copied back into the database file by checkpoints. Left to
// SQLite, a commit that finds the log past 1,000 pages checkpoints it there and then; under
// steady load readers keep the log from being restarted, so nearly every commit of every request
// tries a checkpoint again (a quarter of a token exchange's CPU was spent so). Instead a
// connection checkpoints by itself only when the log passes walAutoPages (a burst, the bulk
// import), and a checkpointer of the DB copies the log back every checkpointEvery, a page
// written many times over between two checkpoints being copied once.

// walAutoPages is the log size, in pages, at which a commit checkpoints by itself (40 MiB of
// 4 KiB pages): a bound on the log between two of the checkpointer's runs.
const walAutoPages = 10000

// checkpointEvery is how often the checkpointer copies the log back.
var checkpointEvery = time.Second

// checkpointer runs PASSIVE checkpoints of a SQLite database until stopped: they never wait
// for readers or writers, and leave what they cannot copy yet to the next.
type checkpointer struct {
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func (db *DB) startCheckpointer() {
	c := &checkpointer{stop: make(chan struct{}), done: make(chan struct{})}
	db.ckpt = c
	go func() {
		defer close(c.done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, _ = db.SQL.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`) // a busy moment: the next run copies it
				cancel()
			}
		}
	}()
}

// stopCheckpointer stops the checkpointer and copies the log back a last time.
func (db *DB) stopCheckpointer() {
	c := db.ckpt
	if c == nil {
		return
	}
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = db.SQL.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
	})
}
