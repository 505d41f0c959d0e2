// Package community is the domain of Common Ground's resident-owned
// communities: registered households, communities and their bylaws,
// membership and the pathway to ownership, proposals, ballots and tallies,
// and the apportionment of board seats. It does no I/O; it declares the
// stores it needs and the mongodb package implements them.
package community
