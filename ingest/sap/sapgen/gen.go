package sapgen

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Options size an extract. Zero fields take the defaults of DefaultOptions.
type Options struct {
	Seed         uint64
	Users        int // USR02 rows
	Roles        int // single roles (plus Roles/20 composites)
	Rows         int // AGR_1251 rows, approximately (exact multiple of the role count)
	CompanyCodes int
}

// DefaultOptions are a mid-size system with a 5-million-row AGR_1251.
var DefaultOptions = Options{Seed: 1, Users: 20000, Roles: 5000, Rows: 5_000_000, CompanyCodes: 20}

func (o Options) withDefaults() Options {
	d := DefaultOptions
	if o.Users > 0 {
		d.Users = o.Users
	}
	if o.Roles > 0 {
		d.Roles = o.Roles
	}
	if o.Rows > 0 {
		d.Rows = o.Rows
	}
	if o.CompanyCodes > 0 {
		d.CompanyCodes = o.CompanyCodes
	}
	d.Seed = o.Seed
	return d
}

// Generate writes the extract into dir (created if needed) and returns the
// number of AGR_1251 rows written (Rows, rounded to whole roles, plus the
// finance and scheduler rows of the roles that have more).
func Generate(ctx context.Context, dir string, o Options) (int, error) {
	o = o.withDefaults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	g := &gen{o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x5a9)), dir: dir}
	for i := 0; i < o.CompanyCodes; i++ {
		g.ccs = append(g.ccs, fmt.Sprintf("%04d", 1000+100*i))
	}
	steps := []func() error{g.config, g.users, g.roles, g.assignments}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if err := step(); err != nil {
			return 0, err
		}
	}
	return g.rows, nil
}

type gen struct {
	o    Options
	rng  *rand.Rand
	dir  string
	ccs  []string
	rows int
}

// file creates one table file and calls fill with a line writer.
func (g *gen) file(name string, header string, fill func(w func(cells ...string)) error) error {
	f, err := os.Create(filepath.Join(g.dir, name))
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	bw.WriteString(header + "\n")
	w := func(cells ...string) {
		for i, c := range cells {
			if i > 0 {
				bw.WriteByte('\t')
			}
			bw.WriteString(c)
		}
		bw.WriteByte('\n')
	}
	err = fill(w)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (g *gen) config() error {
	return os.WriteFile(filepath.Join(g.dir, "sap.yaml"), []byte(fmt.Sprintf(
		"# synthetic extract: reachgraph gen --sap (seed %d)\nsid: GEN\nclient: \"100\"\nname: generated SAP system\ncollected_at: 2026-11-30T00:00:00Z\n", g.o.Seed)), 0o644)
}

func userName(i int) string { return fmt.Sprintf("U%06d", i) }
func roleName(i int) string { return fmt.Sprintf("Z_ROLE_%05d", i) }

func (g *gen) users() error {
	return g.file("USR02.txt", "MANDT\tBNAME\tUSTYP\tCLASS\tUFLAG\tGLTGV\tGLTGB\tTRDAT\tLTIME\tPWDCHGDATE\tERDAT", func(w func(...string)) error {
		for i := 0; i < g.o.Users; i++ {
			typ, flag, until := "A", "0", "99991231"
			switch r := g.rng.IntN(100); {
			case r < 5:
				typ = "B"
			case r < 8:
				typ = "C"
			case r < 9:
				typ = "S"
			}
			if g.rng.IntN(100) < 4 {
				flag = "64"
			}
			if g.rng.IntN(100) < 3 {
				until = "20250630"
			}
			w("100", userName(i), typ, "STAFF", flag, "20200101", until, g.date(2026), fmt.Sprintf("%02d%02d00", g.rng.IntN(24), g.rng.IntN(60)), g.date(2026), g.date(2020))
		}
		return nil
	})
}

func (g *gen) date(year int) string {
	return fmt.Sprintf("%04d%02d%02d", year, 1+g.rng.IntN(11), 1+g.rng.IntN(28))
}
