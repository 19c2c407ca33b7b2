// Package gostoracle runs OpenSSL with the GOST engine (Debian's libengine-gost-openssl) as an
// independent implementation for the tests of the e-signature packages. When the tool or the
// engine is missing the tests that need it are skipped, except under CI=true, where that fails.
package gostoracle

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kabinet/kabinet/internal/scratch"
)

// OpenSSL is an openssl command configured to load the GOST engine.
type OpenSSL struct {
	Bin  string
	Conf string
	Dir  string // a scratch directory that lives as long as the test binary
}

var (
	once    sync.Once
	shared  *OpenSSL
	initErr error
)

// Engine returns the shared oracle, skipping (or failing under CI=true) when it is unavailable.
func Engine(t testing.TB) *OpenSSL {
	t.Helper()
	once.Do(func() { shared, initErr = setup() })
	if initErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("GOST oracle required under CI=true: %v", initErr)
		}
		t.Skipf("GOST oracle unavailable: %v", initErr)
	}
	return shared
}

func setup() (*OpenSSL, error) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		return nil, err
	}
	engines, _ := filepath.Glob("/usr/lib/*/engines-3/gost.so")
	if len(engines) == 0 {
		return nil, fmt.Errorf("gost.so engine not found (install libengine-gost-openssl)")
	}
	dir, err := scratch.Dir("kabinet-gost-oracle-", nil)
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "openssl.cnf")
	// OpenSSL does not know ИНН ЮЛ (1.2.643.100.4): register it so that -subj can carry it.
	cfg := fmt.Sprintf(`openssl_conf = openssl_def
oid_section = new_oids
[new_oids]
INNLE = 1.2.643.100.4
[openssl_def]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
dynamic_path = %s
default_algorithms = ALL
`, engines[0])
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	o := &OpenSSL{Bin: bin, Conf: conf, Dir: dir}
	if _, err := o.Run(nil, "genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A"); err != nil {
		return nil, fmt.Errorf("openssl cannot use the GOST engine: %v", err)
	}
	return o, nil
}

// Run runs openssl with args in o.Dir, feeding stdin, and returns its standard output.
func (o *OpenSSL) Run(stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command(o.Bin, args...)
	cmd.Dir = o.Dir
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+o.Conf)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("openssl %v: %v: %s", args, err, errb.String())
	}
	return out.Bytes(), nil
}

// MustRun is Run that fails the test on error.
func (o *OpenSSL) MustRun(t testing.TB, stdin []byte, args ...string) []byte {
	t.Helper()
	out, err := o.Run(stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Path returns a path inside the scratch directory.
func (o *OpenSSL) Path(name string) string { return filepath.Join(o.Dir, name) }
