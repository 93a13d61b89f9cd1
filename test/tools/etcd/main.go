// Command etcd runs the etcd server from its Go module, because `go install` of
// go.etcd.io/etcd/server/v3 is refused (its go.mod has replace directives).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
