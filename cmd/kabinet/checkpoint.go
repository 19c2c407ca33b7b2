package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// importCheckpoint is what the importer writes after every committed batch, next to the results
// file, so that a re-run after a crash resumes after the last committed batch instead of reading
// the whole file again. It belongs to one input file, one database and one pair of output files.
type importCheckpoint struct {
	Version int `json:"version"`
	// Input identifies the file: size, modification time and the hash of its first 64 KiB.
	Input inputID `json:"input"`
	// DB is the hash of the database name (it may hold a password, so it is not kept in clear).
	DB string `json:"db"`
	// Offset is the byte offset in the input just after the last row of the last committed batch,
	// and Line the number of lines before it.
	Offset int64 `json:"offset"`
	Line   int   `json:"line"`
	// ResultsSize and ErrorsSize are the sizes of the output files when the batch was committed:
	// a resumed run cuts them back to these sizes so that every row is reported exactly once.
	ResultsSize int64        `json:"results_size"`
	ErrorsSize  int64        `json:"errors_size"`
	Counts      importCounts `json:"counts"`
}

type inputID struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mod_time_ns"`
	Head    string `json:"head_sha256"`
}

const checkpointVersion = 1

func identifyInput(f *os.File) (inputID, error) {
	st, err := f.Stat()
	if err != nil {
		return inputID{}, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, 64<<10)); err != nil {
		return inputID{}, err
	}
	return inputID{Size: st.Size(), ModTime: st.ModTime().UnixNano(), Head: hex.EncodeToString(h.Sum(nil))}, nil
}

func dbID(dsn string) string {
	h := sha256.Sum256([]byte(dsn))
	return hex.EncodeToString(h[:])
}

// readCheckpoint returns the checkpoint at path, or nil when there is none.
func readCheckpoint(path string) (*importCheckpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c importCheckpoint
	if err := json.Unmarshal(b, &c); err != nil || c.Version != checkpointVersion {
		return nil, errors.New(both("import.bad_checkpoint", path))
	}
	return &c, nil
}

// writeCheckpoint replaces the checkpoint atomically: a crash leaves the old one or the new one.
func writeCheckpoint(path string, c *importCheckpoint) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
