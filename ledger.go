package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"commonground/fundpool"
	"commonground/mongodb"
)

// runLedger runs `commonground ledger verify [flags]`: it opens the store
// named by the usual settings, reads every ledger transaction, recomputes
// every balance from the postings and checks every invariant. It prints the
// report and returns 0 when the ledger verifies, 1 on violations or errors
// and 2 for bad arguments. Against the embedded store, stop the server first:
// two processes must not open one data directory.
func runLedger(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintf(stderr, "usage: commonground ledger verify [flags]\n")
		return 2
	}
	cfg, err := parseConfig(args[1:], getenv, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "commonground: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	db, err := mongodb.Open(ctx, mongodb.Config{URI: cfg.MongoURI, Database: cfg.MongoDatabase, DataDir: cfg.DataDir})
	if err != nil {
		fmt.Fprintf(stderr, "commonground: %v\n", err)
		return 1
	}
	defer db.Close(context.Background())
	var txs []fundpool.Transaction
	err = mongodb.NewPoolStore(db).LoadTransactions(ctx, func(t fundpool.Transaction) error {
		txs = append(txs, t)
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "commonground: read the ledger: %v\n", err)
		return 1
	}
	report := fundpool.Verify(txs)
	// The book is what the server serves from; check that it loads and that
	// its running balances agree with the independent recomputation.
	if book, err := fundpool.LoadBook(txs); err != nil {
		report.Violations = append(report.Violations, fundpool.Violation{Rule: fundpool.RuleBalance, Message: err.Error()})
	} else {
		report.Violations = append(report.Violations, book.Verify().Violations...)
	}
	printReport(stdout, report)
	if !report.OK() {
		return 1
	}
	return 0
}

func printReport(w io.Writer, r fundpool.Report) {
	fmt.Fprintf(w, "transactions: %d\naccounts: %d\nviolations: %d\n", r.Transactions, r.Accounts, len(r.Violations))
	for _, v := range r.Violations {
		fmt.Fprintf(w, "  %s", v.Rule)
		if v.TransactionID != "" {
			fmt.Fprintf(w, " tx=%s", v.TransactionID)
		}
		if v.Account != "" {
			fmt.Fprintf(w, " account=%s", v.Account)
		}
		fmt.Fprintf(w, ": %s\n", v.Message)
	}
	if r.OK() {
		fmt.Fprintln(w, "ledger verifies")
	} else {
		fmt.Fprintln(w, "LEDGER DOES NOT VERIFY")
	}
}
