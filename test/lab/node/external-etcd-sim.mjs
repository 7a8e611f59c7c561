// The supervisor of the kubeadm-external-etcd distribution: the lab kubelet
// (kubelet-sim.mjs), also running etcd.service from its unit and
// EnvironmentFile (systemd-service.mjs) as systemd would.
globalThis.labServices = ['etcd.service'];
await import('./kubelet-sim.mjs');
