package importer

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// checkpoint is what the importer writes after every committed batch, next to the results file,
// so that a re-run after a crash resumes after the last committed batch instead of reading the
// whole file again. It belongs to one input file, one database and one pair of output files.
type checkpoint struct {
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
	ResultsSize int64  `json:"results_size"`
	ErrorsSize  int64  `json:"errors_size"`
	Counts      Report `json:"counts"`
}

type inputID struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mod_time_ns"`
	Head    string `json:"head_sha256"`
}

const checkpointVersion = 1

// headSize is how much of the input identifies it (and holds its header).
const headSize = 64 << 10

// identify identifies the input by the hash of its first bytes, head, and the size and
// modification time of the file when in is one (a reader with a Stat method).
func identify(in io.Reader, head []byte) (inputID, error) {
	h := sha256.Sum256(head)
	id := inputID{Head: hex.EncodeToString(h[:])}
	if f, ok := in.(interface{ Stat() (fs.FileInfo, error) }); ok {
		st, err := f.Stat()
		if err != nil {
			return inputID{}, err
		}
		id.Size, id.ModTime = st.Size(), st.ModTime().UnixNano()
	}
	return id, nil
}

func dbID(dsn string) string {
	h := sha256.Sum256([]byte(dsn))
	return hex.EncodeToString(h[:])
}

// readCheckpoint returns the checkpoint at path, or nil when there is none.
func readCheckpoint(path string) (*checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c checkpoint
	if err := json.Unmarshal(b, &c); err != nil || c.Version != checkpointVersion {
		return nil, errors.New(both("import.bad_checkpoint", path))
	}
	return &c, nil
}

// writeCheckpoint replaces the checkpoint atomically: a crash leaves the old one or the new one.
func writeCheckpoint(path string, c *checkpoint) error {
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

// skip reads past the first n bytes of r (all of it when shorter) and counts the line breaks in
// them.
func skip(r *bufio.Reader, n int64) (int, error) {
	lines := 0
	for n > 0 {
		b, err := r.Peek(int(min(n, int64(r.Size()))))
		lines += bytes.Count(b, []byte{'\n'})
		if _, derr := r.Discard(len(b)); derr != nil {
			return 0, derr
		}
		n -= int64(len(b))
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return 0, err
		}
	}
	return lines, nil
}

// reopenAt opens an output file of an interrupted run and cuts it back to size, the size it had
// at the checkpoint; what was written after it is written again.
func reopenAt(path string, size int64) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.Size() < size {
		err = errors.New(both("import.shorter", path))
	}
	if err == nil {
		err = f.Truncate(size)
	}
	if err == nil {
		_, err = f.Seek(size, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
