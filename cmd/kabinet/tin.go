package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kabinet/kabinet/tin"
)

const tinUsage = `usage: kabinet tin validate [--kind inn|kpp|snils|ogrn|ogrnip|kg] [--json] NUMBER... | -

Validates taxpayer numbers and prints one line per input, in input order.
  -            read one number per line from standard input
  --kind       inn (default: 10 or 12 digits), kpp, snils, ogrn, ogrnip, kg (Kyrgyz 14-digit ИНН)
  --json       one JSON object per line: {"input","kind","valid","error","parts"}
Exit status: 0 when every number is valid, 1 when any is invalid, 2 on a usage error.
`

// runTin implements `kabinet tin validate`.
func runTin(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "validate" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(e.stdout, tinUsage)
			return exitOK
		}
		fmt.Fprint(e.stderr, tinUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("tin validate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, tinUsage) }
	kind := fs.String("kind", "inn", "kind of number")
	asJSON := fs.Bool("json", false, "print JSON lines")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if !tin.KnownKind(*kind) {
		fmt.Fprintf(e.stderr, "kabinet tin validate: unknown kind %q (want inn, kpp, snils, ogrn, ogrnip or kg)\n", *kind)
		return exitUsage
	}
	inputs := fs.Args()
	if len(inputs) == 0 {
		fmt.Fprintln(e.stderr, "kabinet tin validate: no numbers given (pass numbers or - for standard input)")
		fmt.Fprint(e.stderr, tinUsage)
		return exitUsage
	}
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	defer out.Flush()
	v := &tinValidator{kind: *kind, json: *asJSON, out: out}
	for _, in := range inputs {
		if in != "-" {
			v.one(in)
			continue
		}
		sc := bufio.NewScanner(e.stdin)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for n := 0; sc.Scan(); n++ {
			if n&0xffff == 0 && ctx.Err() != nil {
				return exitFailure
			}
			v.one(strings.TrimSuffix(sc.Text(), "\r"))
		}
		if err := sc.Err(); err != nil {
			out.Flush()
			fmt.Fprintf(e.stderr, "kabinet tin validate: reading standard input: %v\n", err)
			return exitFailure
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "kabinet tin validate: %v\n", err)
		return exitFailure
	}
	if v.invalid > 0 {
		return exitFailure
	}
	return exitOK
}

type tinValidator struct {
	kind    string
	json    bool
	out     *bufio.Writer
	invalid int
	buf     []byte
	keys    []string
}

func (v *tinValidator) one(in string) {
	parts, err := tin.Validate(v.kind, in)
	if err != nil {
		v.invalid++
	}
	b := v.buf[:0]
	if v.json {
		b = append(b, `{"input":`...)
		b = appendJSONString(b, in)
		b = append(b, `,"kind":`...)
		b = appendJSONString(b, v.kind)
		if err != nil {
			b = append(b, `,"valid":false,"error":`...)
			b = appendJSONString(b, err.Error())
			b = append(b, `,"parts":{}}`...)
		} else {
			b = append(b, `,"valid":true,"error":"","parts":{`...)
			for i, k := range v.sortedKeys(parts) {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, k)
				b = append(b, ':')
				b = appendJSONString(b, parts[k])
			}
			b = append(b, "}}"...)
		}
	} else {
		b = append(b, strings.TrimSpace(in)...)
		if err != nil {
			b = append(b, " invalid: "...)
			b = append(b, err.Error()...)
		} else {
			b = append(b, " valid"...)
			for _, k := range v.sortedKeys(parts) {
				b = append(b, ' ')
				b = append(b, k...)
				b = append(b, '=')
				b = append(b, parts[k]...)
			}
		}
	}
	b = append(b, '\n')
	v.out.Write(b)
	v.buf = b
}

func (v *tinValidator) sortedKeys(m map[string]string) []string {
	v.keys = v.keys[:0]
	for k := range m {
		v.keys = append(v.keys, k)
	}
	sort.Strings(v.keys)
	return v.keys
}

// appendJSONString appends s as a JSON string; invalid UTF-8 bytes become U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				switch c {
				case '\n':
					b = append(b, `\n`...)
				case '\r':
					b = append(b, `\r`...)
				case '\t':
					b = append(b, `\t`...)
				default:
					b = append(b, `\u00`...)
					b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
				}
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, `\u`...)
			b = strconv.AppendInt(b, int64(r), 16)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
