package register

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"sort"
	"sync"

	"github.com/kabinet/kabinet/internal/jurisdiction"
)

// The reference data of places ships in the binary with each jurisdiction (package
// jurisdiction, REG-1): its regions (the subjects of the Russian Federation; the regions and
// cities of the Kyrgyz Republic) and its tax offices (the ИФНС, whose 4-digit codes begin every
// TIN and КПП they assign; the УГНС).

// directory is one jurisdiction's embedded regions and tax offices.
type directory struct {
	regions map[string]string     // code → name
	offices []Office              // by code
	index   map[string]Office     // by code
	cards   map[string]OfficeCard // REG-9: full name, address and time zone of each office
}

// directories are the directories read so far, by jurisdiction: each is read once per process.
var directories sync.Map

// directoryOf returns the embedded directory of a jurisdiction. A file that does not read is a
// build defect, caught by the tests.
func directoryOf(p jurisdiction.Profile) *directory {
	if d, ok := directories.Load(p.Code); ok {
		return d.(*directory)
	}
	d, err := readDirectory(p.Data)
	if err != nil {
		panic(fmt.Sprintf("register: embedded reference data of %s: %v", p.Code, err))
	}
	actual, _ := directories.LoadOrStore(p.Code, d)
	return actual.(*directory)
}

func readDirectory(data fs.FS) (*directory, error) {
	d := &directory{regions: map[string]string{}, index: map[string]Office{}, cards: map[string]OfficeCard{}}
	regions, err := fs.ReadFile(data, "regions.csv")
	if err != nil {
		return nil, err
	}
	recs, err := readCSV(regions, 2)
	if err != nil {
		return nil, fmt.Errorf("regions: %w", err)
	}
	for _, r := range recs {
		d.regions[r[0]] = r[1]
	}
	offices, err := fs.ReadFile(data, "offices.csv")
	if err != nil {
		return nil, err
	}
	cards, err := ParseOffices(bytes.NewReader(offices))
	if err != nil || len(cards) == 0 {
		return nil, fmt.Errorf("offices: %v", err)
	}
	for _, c := range cards {
		d.offices = append(d.offices, c.Office)
		d.index[c.Code] = c.Office
		d.cards[c.Code] = c
	}
	sort.Slice(d.offices, func(i, j int) bool { return d.offices[i].Code < d.offices[j].Code })
	return d, nil
}

// readCSV reads a CSV file of cols columns with a header line and returns the records after it.
func readCSV(b []byte, cols int) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = cols
	recs, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("no records")
	}
	return recs[1:], nil
}

// EmbeddedOffices returns the tax offices a jurisdiction ships in the binary, by code.
func EmbeddedOffices(p jurisdiction.Profile) []Office {
	return append([]Office(nil), directoryOf(p.OrDefault()).offices...)
}

// EmbeddedRegions returns the regions of a jurisdiction, code → name.
func EmbeddedRegions(p jurisdiction.Profile) map[string]string {
	out := map[string]string{}
	for k, v := range directoryOf(p.OrDefault()).regions {
		out[k] = v
	}
	return out
}
