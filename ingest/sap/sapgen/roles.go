package sapgen

import (
	"fmt"
)

// finance are the instances a finance role draws from (object, fields);
// "$CC" is a company code or the $BUKRS variable.
var finance = [][]string{
	{"S_TCODE", "TCD", "FB01"}, {"S_TCODE", "TCD", "FB50"}, {"S_TCODE", "TCD", "FBV0"}, {"S_TCODE", "TCD", "FV50"},
	{"S_TCODE", "TCD", "F110"}, {"S_TCODE", "TCD", "FK02"}, {"S_TCODE", "TCD", "FB60"}, {"S_TCODE", "TCD", "FS00"},
	{"F_BKPF_BUK", "BUKRS", "$CC", "ACTVT", "01"}, {"F_BKPF_BUK", "BUKRS", "$CC", "ACTVT", "77"},
	{"F_BKPF_BUK", "BUKRS", "$CC", "ACTVT", "03"}, {"F_BKPF_KOA", "KOART", "K", "ACTVT", "01"},
	{"F_REGU_BUK", "BUKRS", "$CC", "FBTCH", "21"}, {"F_LFA1_APP", "APPKZ", "F", "ACTVT", "02"},
	{"F_LFA1_BUK", "BUKRS", "$CC", "ACTVT", "02"}, {"F_SKA1_BUK", "BUKRS", "$CC", "ACTVT", "02"},
}

// roles writes AGR_1251 (about Rows rows), AGR_1252 and AGR_AGRS.
func (g *gen) roles() error {
	perRole := max(g.o.Rows/g.o.Roles, 8)
	derived := map[int]string{}
	err := g.file("AGR_1251.txt", "MANDT\tAGR_NAME\tCOUNTER\tOBJECT\tAUTH\tVARIANT\tFIELD\tLOW\tHIGH\tMODIFIED\tDELETED", func(w func(...string)) error {
		for r := 0; r < g.o.Roles; r++ {
			name := roleName(r)
			n := 0
			row := func(obj, auth, field, low, high string) {
				n++
				del := ""
				if g.rng.IntN(200) == 0 {
					del = "X"
				}
				w("100", name, fmt.Sprintf("%06d", n), obj, auth, "", field, low, high, "", del)
				g.rows++
			}
			if g.rng.IntN(100) < 20 { // a finance role
				cc := g.ccs[g.rng.IntN(len(g.ccs))]
				if g.rng.IntN(2) == 0 {
					derived[r] = cc
					cc = "$BUKRS"
				}
				for k, inst := range finance {
					if g.rng.IntN(100) >= 30 {
						continue
					}
					auth := fmt.Sprintf("T-%05d%03d", r, k)
					for f := 1; f+1 < len(inst); f += 2 {
						v := inst[f+1]
						if v == "$CC" {
							v = cc
						}
						row(inst[0], auth, inst[f], v, "")
					}
				}
			}
			if r%997 == 0 { // a few schedulers
				row("S_BTCH_NAM", fmt.Sprintf("T-%05dBTC", r), "BTCUNAME", userName(g.rng.IntN(g.o.Users)), "")
			}
			for n < perRole {
				g.filler(r, n, row)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := g.file("AGR_1252.txt", "MANDT\tAGR_NAME\tCOUNTER\tVARBL\tLOW\tHIGH", func(w func(...string)) error {
		for r := 0; r < g.o.Roles; r++ {
			if cc, ok := derived[r]; ok {
				w("100", roleName(r), "000001", "$BUKRS", cc, "")
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return g.file("AGR_AGRS.txt", "MANDT\tAGR_NAME\tCHILD_AGR", func(w func(...string)) error {
		for c := 0; c < g.o.Roles/20; c++ {
			for k := 0; k < 3+g.rng.IntN(4); k++ {
				w("100", fmt.Sprintf("Z_COMP_%05d", c), roleName(g.rng.IntN(g.o.Roles)))
			}
		}
		return nil
	})
}

// filler writes one instance of an object outside the function map (or a
// transaction that is not in it), as most of a real AGR_1251 is.
func (g *gen) filler(r, n int, row func(obj, auth, field, low, high string)) {
	auth := fmt.Sprintf("T-%05d%04d", r, n)
	if g.rng.IntN(3) == 0 {
		row("S_TCODE", auth, "TCD", fmt.Sprintf("Z%c%04d", 'A'+rune(g.rng.IntN(26)), g.rng.IntN(5000)), "")
		return
	}
	obj := fmt.Sprintf("Z_OBJ_%03d", g.rng.IntN(400))
	for f := 0; f < 3; f++ {
		low := fmt.Sprintf("%02d", g.rng.IntN(100))
		row(obj, auth, fmt.Sprintf("FIELD%d", f), low, "")
	}
}

// assignments writes AGR_USERS (5–15 roles per user, some windows ended)
// and UST04 (a firefighter with SAP_ALL).
func (g *gen) assignments() error {
	if err := g.file("AGR_USERS.txt", "MANDT\tAGR_NAME\tUNAME\tFROM_DAT\tTO_DAT", func(w func(...string)) error {
		for u := 0; u < g.o.Users; u++ {
			for k := 0; k < 5+g.rng.IntN(11); k++ {
				role := roleName(g.rng.IntN(g.o.Roles))
				if g.rng.IntN(30) == 0 && g.o.Roles >= 20 {
					role = fmt.Sprintf("Z_COMP_%05d", g.rng.IntN(g.o.Roles/20))
				}
				to := "99991231"
				if g.rng.IntN(10) == 0 {
					to = g.date(2026)
				}
				w("100", role, userName(u), g.date(2024), to)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return g.file("UST04.txt", "MANDT\tBNAME\tPROFILE", func(w func(...string)) error {
		w("100", userName(0), "SAP_ALL")
		return nil
	})
}
