// The flannel CNI plugin, as github.com/flannel-io/cni-plugin does it: flanneld writes
// this node's subnet to /run/flannel/subnet.env; the plugin turns it into a bridge
// configuration with host-local addresses from that subnet and delegates to the bridge
// plugin. The bundle builds this one because the Go module proxy does not serve
// flannel-io/cni-plugin; the configuration it reads and writes is the upstream one, so
// kube-flannel.yml is unchanged.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

type netConf struct {
	types.NetConf
	SubnetFile string                 `json:"subnetFile"`
	DataDir    string                 `json:"dataDir"`
	Delegate   map[string]interface{} `json:"delegate"`
}

type subnetEnv struct {
	network, subnet string
	mtu             int
	ipmasq          bool
}

func loadConf(data []byte) (*netConf, error) {
	n := &netConf{SubnetFile: "/run/flannel/subnet.env", DataDir: "/var/lib/cni/flannel"}
	if err := json.Unmarshal(data, n); err != nil {
		return nil, fmt.Errorf("flannel: bad configuration: %v", err)
	}
	return n, nil
}

func readSubnetEnv(path string) (*subnetEnv, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("flannel: %v (is flanneld running on this node?)", err)
	}
	defer f.Close()
	se := &subnetEnv{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(s.Text()), "=")
		if !ok {
			continue
		}
		switch k {
		case "FLANNEL_NETWORK":
			se.network = v
		case "FLANNEL_SUBNET":
			se.subnet = v
		case "FLANNEL_MTU":
			se.mtu, _ = strconv.Atoi(v)
		case "FLANNEL_IPMASQ":
			se.ipmasq = v == "true"
		}
	}
	if se.network == "" || se.subnet == "" || se.mtu == 0 {
		return nil, fmt.Errorf("flannel: %s lacks FLANNEL_NETWORK, FLANNEL_SUBNET or FLANNEL_MTU", path)
	}
	return se, s.Err()
}

func cmdAdd(args *skel.CmdArgs) error {
	n, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	se, err := readSubnetEnv(n.SubnetFile)
	if err != nil {
		return err
	}
	d := map[string]interface{}{}
	for k, v := range n.Delegate {
		d[k] = v
	}
	d["name"] = n.Name
	d["cniVersion"] = n.CNIVersion
	if _, ok := d["type"]; !ok {
		d["type"] = "bridge"
	}
	if _, ok := d["ipMasq"]; !ok {
		// flanneld masquerades itself when it runs with --ip-masq.
		d["ipMasq"] = !se.ipmasq
	}
	if _, ok := d["mtu"]; !ok {
		d["mtu"] = se.mtu
	}
	if d["type"] == "bridge" {
		if _, ok := d["isGateway"]; !ok {
			d["isGateway"] = true
		}
	}
	// subnet.env gives the node's gateway address with its prefix (10.244.2.1/24);
	// host-local wants the network (10.244.2.0/24) and hands out .2 onwards.
	_, subnet, err := net.ParseCIDR(se.subnet)
	if err != nil {
		return fmt.Errorf("flannel: FLANNEL_SUBNET %q: %v", se.subnet, err)
	}
	ipam := map[string]interface{}{
		"type":   "host-local",
		"ranges": [][]map[string]string{{{"subnet": subnet.String()}}},
		"routes": []map[string]string{{"dst": se.network}},
	}
	d["ipam"] = ipam
	conf, err := json.Marshal(d)
	if err != nil {
		return err
	}
	// Kept for DEL, which must undo exactly what ADD set up even if subnet.env changed.
	if err := os.MkdirAll(n.DataDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(n.DataDir, args.ContainerID), conf, 0o600); err != nil {
		return err
	}
	res, err := invoke.DelegateAdd(context.TODO(), d["type"].(string), conf, nil)
	if err != nil {
		// Undo what the delegate may have set up: the runtime's DEL must not meet a
		// configuration that never worked.
		_ = invoke.DelegateDel(context.TODO(), d["type"].(string), conf, nil)
		_ = os.Remove(filepath.Join(n.DataDir, args.ContainerID))
		return err
	}
	return types.PrintResult(res, n.CNIVersion)
}

func cmdDel(args *skel.CmdArgs) error {
	n, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	path := filepath.Join(n.DataDir, args.ContainerID)
	conf, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	var d map[string]interface{}
	if err := json.Unmarshal(conf, &d); err != nil {
		return err
	}
	t, _ := d["type"].(string)
	if err := invoke.DelegateDel(context.TODO(), t, conf, nil); err != nil {
		return err
	}
	return os.Remove(path)
}

func cmdCheck(args *skel.CmdArgs) error { return nil }

func main() {
	skel.PluginMainFuncs(skel.CNIFuncs{Add: cmdAdd, Del: cmdDel, Check: cmdCheck}, version.All, "flannel CNI plugin (tsplay bundle)")
}
