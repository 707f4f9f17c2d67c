// etcd's own main package (go.etcd.io/etcd/v3) lives in a module that replaces its
// siblings with local paths; this is the same two lines against go.etcd.io/etcd/server/v3.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
