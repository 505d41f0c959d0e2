package community

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"commonground/apperr"
)

// MemberDues is what one member has paid in dues, and where the member is,
// for apportioning regional board seats.
type MemberDues struct {
	Region   string
	ClassKey string
	Amount   Money
}

// Board is the composition of the board under the bylaws, with the
// regional apportionment shown step by step.
type Board struct {
	Seats    int
	Classes  []ClassSeats
	Regional Apportionment
	Staff    int
	// AtLarge are seats elected by all members: the board's seats not
	// reserved for a class, a region or staff.
	AtLarge int
}

// ClassSeats is the number of seats reserved for a class.
type ClassSeats struct {
	Class string
	Seats int
}

// Apportionment divides regional seats among regions in proportion to the
// dues paid there, by the largest remainder (Hamilton) method: each region
// gets the whole part of its quota (seats × its dues / all dues), and the
// seats left go one each to the largest remainders, ties going to the
// region with more dues, then to the smaller region key.
type Apportionment struct {
	Seats     int
	Currency  string
	TotalDues int64
	// Regions follow the community's region order.
	Regions []RegionSeats
	// Ranking lists regions by remainder, largest first, as the ties rule
	// orders them; the first Leftover got an extra seat.
	Ranking  []string
	Leftover int
	Steps    []string
}

// RegionSeats is one region's line of the apportionment. Its quota is
// Floor + Remainder/TotalDues; Quota shows it truncated to four decimals.
type RegionSeats struct {
	Region    string
	Members   int
	Dues      int64
	Quota     string
	Floor     int
	Remainder int64
	Extra     int
	Seats     int
}

// ApportionBoard computes the board of community c from the dues paid by
// its members. Only the classes the bylaws name (all, if none) count
// towards regional seats. It fails when dues are in several currencies, a
// member's region is unknown, or there are regional seats and no dues.
func ApportionBoard(c *Community, dues []MemberDues) (Board, error) {
	rule := c.Bylaws.Board
	b := Board{Seats: rule.Seats, Staff: rule.StaffSeats}
	reserved := rule.RegionalSeats + rule.StaffSeats
	for _, cl := range c.Bylaws.Classes {
		b.Classes = append(b.Classes, ClassSeats{Class: cl.Key, Seats: cl.BoardSeats})
		reserved += cl.BoardSeats
	}
	if reserved > rule.Seats {
		return Board{}, apperr.New(apperr.Unprocessable, "the bylaws reserve more seats than the board has")
	}
	b.AtLarge = rule.Seats - reserved
	a, err := apportion(c, rule, dues)
	if err != nil {
		return Board{}, err
	}
	b.Regional = a
	return b, nil
}

func apportion(c *Community, rule BoardRule, dues []MemberDues) (Apportionment, error) {
	a := Apportionment{Seats: rule.RegionalSeats, Regions: make([]RegionSeats, len(c.Regions))}
	for i, r := range c.Regions {
		a.Regions[i].Region = r.Key
	}
	if rule.RegionalSeats == 0 {
		return a, nil
	}
	index := make(map[string]int, len(c.Regions))
	for i, r := range c.Regions {
		index[r.Key] = i
	}
	counts := func(class string) bool {
		return len(rule.RegionalClasses) == 0 || slices.Contains(rule.RegionalClasses, class)
	}
	for i := range dues {
		d := &dues[i]
		if !counts(d.ClassKey) {
			continue
		}
		ri, ok := index[d.Region]
		if !ok {
			return Apportionment{}, apperr.New(apperr.Unprocessable, "a member's region %q is not one of the community's regions", d.Region)
		}
		if d.Amount.Minor < 0 {
			return Apportionment{}, apperr.New(apperr.Unprocessable, "dues must not be negative")
		}
		if a.Currency == "" {
			a.Currency = d.Amount.Currency
		} else if d.Amount.Currency != a.Currency {
			return Apportionment{}, apperr.New(apperr.Unprocessable, "dues are in more than one currency")
		}
		r := &a.Regions[ri]
		var ok1, ok2 bool
		r.Dues, ok1 = addInt64(r.Dues, d.Amount.Minor)
		a.TotalDues, ok2 = addInt64(a.TotalDues, d.Amount.Minor)
		if !ok1 || !ok2 {
			return Apportionment{}, apperr.New(apperr.Unprocessable, "total dues overflow")
		}
		r.Members++
	}
	if a.TotalDues == 0 {
		return Apportionment{}, apperr.New(apperr.Unprocessable, "no dues paid yet: regional seats cannot be apportioned")
	}
	seats := uint64(rule.RegionalSeats)
	total := uint64(a.TotalDues)
	assigned := 0
	for i := range a.Regions {
		r := &a.Regions[i]
		// dues ≤ total, so the quotient is at most seats: no overflow.
		hi, lo := bits.Mul64(uint64(r.Dues), seats)
		q, rem := bits.Div64(hi, lo, total)
		r.Floor, r.Remainder = int(q), int64(rem)
		frac, _ := mulDiv(r.Remainder, 10000, a.TotalDues, RoundDown)
		r.Quota = fmt.Sprintf("%d.%04d", q, frac)
		assigned += r.Floor
		a.Steps = append(a.Steps, fmt.Sprintf("%s: quota %d × %d / %d = %s, floor %d, remainder %d/%d",
			r.Region, rule.RegionalSeats, r.Dues, a.TotalDues, r.Quota, r.Floor, r.Remainder, a.TotalDues))
	}
	a.Leftover = rule.RegionalSeats - assigned
	order := make([]int, len(a.Regions))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int {
		rx, ry := &a.Regions[x], &a.Regions[y]
		switch {
		case rx.Remainder != ry.Remainder:
			return cmpDesc(rx.Remainder, ry.Remainder)
		case rx.Dues != ry.Dues:
			return cmpDesc(rx.Dues, ry.Dues)
		}
		return strings.Compare(rx.Region, ry.Region)
	})
	a.Ranking = make([]string, len(order))
	for rank, i := range order {
		a.Ranking[rank] = a.Regions[i].Region
		if rank < a.Leftover {
			a.Regions[i].Extra = 1
			a.Steps = append(a.Steps, fmt.Sprintf("extra seat %d of %d to %s (remainder %d/%d, dues %d)",
				rank+1, a.Leftover, a.Regions[i].Region, a.Regions[i].Remainder, a.TotalDues, a.Regions[i].Dues))
		}
	}
	for i := range a.Regions {
		a.Regions[i].Seats = a.Regions[i].Floor + a.Regions[i].Extra
	}
	return a, nil
}

func cmpDesc(x, y int64) int {
	switch {
	case x > y:
		return -1
	case x < y:
		return 1
	}
	return 0
}

// DuesFromMemberships sums what each full member of c has paid towards
// their class share, as the dues that apportion regional seats.
func DuesFromMemberships(c *Community, members []Membership) ([]MemberDues, error) {
	out := make([]MemberDues, 0, len(members))
	for i := range members {
		m := &members[i]
		if m.CommunityID != c.ID || m.Status != StatusMember {
			continue
		}
		cl, ok := c.Bylaws.Class(m.ClassKey)
		if !ok {
			continue
		}
		paid, err := m.Paid(cl.Share.Amount.Currency)
		if err != nil {
			return nil, err
		}
		out = append(out, MemberDues{Region: m.Region, ClassKey: m.ClassKey, Amount: paid})
	}
	return out, nil
}
