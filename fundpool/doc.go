// Package fundpool pools pledges, grants and loans toward a collective land
// purchase and keeps every dollar accounted for in a double-entry,
// append-only ledger. It does no I/O: it declares the Store it needs and
// computes everything else in memory.
//
// # Money
//
// Money is int64 minor units plus an ISO 4217 currency, overflow checked,
// never a float. On the wire it is {"amount_minor": 1000, "currency": "USD"}
// with amount_minor a JSON integer (ParseMinor); forms may send a decimal
// string (ParseMoney). One input is at most MaxAmount (10^15) minor units.
//
// # Chart of accounts
//
// Every account belongs to one campaign and is named
// "campaign:<campaign id>:<class>[:<key>]". A posting moves a positive
// amount from a source account to a destination account; a balance is what
// flowed in less what flowed out, so each posting, and so each transaction,
// sums to zero per currency.
//
//	source:pledge:<pledge>   contra for a pledger; minus the live pledge       ≤ 0
//	source:grant:<grant>     contra for a funder; minus the award              ≤ 0
//	source:match:<grant>     contra for a matching rule; minus what it earned  ≤ 0
//	source:loan:<loan>       contra for a lender; minus the commitment         ≤ 0
//	pledged:<pledge>         promised, not yet received                        ≥ 0
//	awarded:<grant>          awarded or matched, not yet received              ≥ 0
//	committed:<loan>         lent, not yet drawn                               ≥ 0
//	received                 unrestricted money held (pledges)                 ≥ 0
//	restricted:<use>+<use>   money held that may pay only for those uses       ≥ 0
//	financing                money drawn on loans, held                        ≥ 0
//	disbursed:<use>          paid out for that use                             ≥ 0
//
// Each transaction kind allows only some movements:
//
//	pledge_made        source:pledge:P → pledged:P
//	pledge_received    pledged:P       → received
//	pledge_cancelled   pledged:P       → source:pledge:P   (what is outstanding)
//	release            pledged:P       → source:pledge:P   (deadline failed)
//	grant_awarded      source:grant:G  → awarded:G
//	match_earned       source:match:G  → awarded:G         (refers to the receipt it matches)
//	grant_received     awarded:G       → restricted:<G's uses>
//	loan_committed     source:loan:L   → committed:L
//	loan_received      committed:L     → financing
//	disbursement       received | financing | restricted:S (S allows the use) → disbursed:<use>
//	reversal           the postings of an earlier transaction, swapped
//
// So the live commitment of a source is minus its source balance, what is
// outstanding is its pledged/awarded/committed balance, and what it paid in
// is the difference. Restricted money keys its account by the set of uses
// it allows, so the restriction is in the ledger itself and the verifier
// needs nothing else; grants allowing the same uses share one account.
//
// # Writing
//
// Constructors (MakePledge, ReceivePledge, AwardGrant, ReceiveGrant,
// CommitLoan, DrawLoan, CancelPledge, ReleasePledge, Disburse, ReverseTx,
// ResolveDeadline) build transactions from domain inputs and check them
// against the current balances. Book.Commit stores one through a persist
// function and then applies it; Book.Append applies without storing (used
// when loading). Both check every rule again, so no transaction breaking an
// invariant enters the book, and a retried transaction (same idempotency
// key, same event) is accepted once.
//
// A pledge receipt and the matches it earns are separate transactions (one
// document each: the store has no multi-document transactions). Post the
// receipt first, then its matches; if the process stops in between, Rematch
// builds the matches still missing, with the same keys.
package fundpool
