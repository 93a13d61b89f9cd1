// Parses every PEM certificate in the files given with Go's crypto/x509, the
// parser the Go aivenator and most Kafka tooling in Go use. Exit 1 on any refusal.
package main

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
)

func main() {
	failed := false
	for _, name := range os.Args[1:] {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Printf("%s: %v\n", name, err)
			os.Exit(2)
		}
		for n := 0; ; n++ {
			var block *pem.Block
			block, data = pem.Decode(data)
			if block == nil {
				break
			}
			if _, err := x509.ParseCertificate(block.Bytes); err != nil {
				fmt.Printf("%s #%d: %v\n", name, n, err)
				failed = true
			}
		}
	}
	if failed {
		os.Exit(1)
	}
}
