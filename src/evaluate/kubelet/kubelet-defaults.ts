import type { SettingValue } from '../../playbook/types.js';

/**
 * What cis-fix knows about the kubelet settings the 4.2 controls touch: the
 * flag and config key that set them, their type, and their defaults.
 *
 * The kubelet has two sets of defaults (cmd/kubelet/app/options):
 * - with `--config`, keys absent from the file take the KubeletConfiguration
 *   v1beta1 defaults (pkg/kubelet/apis/config/v1beta1/defaults.go);
 * - without `--config`, applyLegacyDefaults() keeps the old command-line
 *   defaults, which are weaker for four settings: --anonymous-auth=true,
 *   --authentication-token-webhook=false, --authorization-mode=AlwaysAllow,
 *   --read-only-port=10255.
 * Values checked against Kubernetes v1.30–v1.34. `undefined` means "not set
 * at all" (no CA, no serving certificate file: the kubelet self-signs one,
 * Go's default cipher suites).
 */
export type KubeletSettingType = 'boolean' | 'integer' | 'duration' | 'string' | 'string-list' | 'feature-gates';

export interface KubeletSettingSpec {
  readonly configKey: string | undefined;
  readonly flag: string | undefined;
  readonly type: KubeletSettingType;
  /** v1beta1 default: applies when the kubelet has --config and the key is absent. */
  readonly configDefault: SettingValue | undefined;
  /** Legacy default: applies when the kubelet runs without --config. */
  readonly commandLineDefault: SettingValue | undefined;
  /**
   * The v1beta1 defaulting replaces a zero value IN THE CONFIG FILE by the
   * default (`streamingConnectionIdleTimeout: 0s` is 4h, which is why
   * kubeadm can write `0s`); a zero flag value is not defaulted.
   */
  readonly zeroInConfigMeansDefault: boolean;
}

const spec = (
  configKey: string | undefined,
  flag: string | undefined,
  type: KubeletSettingType,
  configDefault: SettingValue | undefined,
  commandLineDefault: SettingValue | undefined = configDefault,
  zeroInConfigMeansDefault = false,
): KubeletSettingSpec => ({ configKey, flag, type, configDefault, commandLineDefault, zeroInConfigMeansDefault });

export const KUBELET_SETTINGS: readonly KubeletSettingSpec[] = [
  spec('authentication.anonymous.enabled', '--anonymous-auth', 'boolean', false, true), // 4.2.1
  spec('authentication.webhook.enabled', '--authentication-token-webhook', 'boolean', true, false),
  spec('authorization.mode', '--authorization-mode', 'string', 'Webhook', 'AlwaysAllow'), // 4.2.2
  spec('authentication.x509.clientCAFile', '--client-ca-file', 'string', undefined), // 4.2.3
  spec('readOnlyPort', '--read-only-port', 'integer', 0, 10255), // 4.2.4
  spec('streamingConnectionIdleTimeout', '--streaming-connection-idle-timeout', 'duration', '4h0m0s', '4h0m0s', true), // 4.2.5
  spec('makeIPTablesUtilChains', '--make-iptables-util-chains', 'boolean', true), // 4.2.6
  spec(undefined, '--hostname-override', 'string', undefined), // 4.2.7: flag only
  spec('eventRecordQPS', '--event-qps', 'integer', 50), // 4.2.8
  spec('tlsCertFile', '--tls-cert-file', 'string', undefined), // 4.2.9
  spec('tlsPrivateKeyFile', '--tls-private-key-file', 'string', undefined), // 4.2.9
  spec('rotateCertificates', '--rotate-certificates', 'boolean', false), // 4.2.10
  spec('featureGates', '--feature-gates', 'feature-gates', undefined), // 4.2.11
  spec('tlsCipherSuites', '--tls-cipher-suites', 'string-list', undefined), // 4.2.12
  spec('podPidsLimit', '--pod-max-pids', 'integer', -1), // 4.2.13
  spec('seccompDefault', '--seccomp-default', 'boolean', false), // 4.2.14
  spec('protectKernelDefaults', '--protect-kernel-defaults', 'boolean', false),
];

/**
 * Feature gates the 4.2 controls name, with their default in the kubelets
 * cis-1.11/1.12 cover. RotateKubeletServerCertificate has been on by
 * default since v1.12.
 */
export const FEATURE_GATE_DEFAULTS: Readonly<Record<string, boolean>> = {
  RotateKubeletServerCertificate: true,
};

const FEATURE_GATE_PREFIX = 'featureGates.';

/** The gate name when `configKey` is `featureGates.<Gate>`. */
export function featureGateOf(configKey: string | undefined): string | undefined {
  return configKey?.startsWith(FEATURE_GATE_PREFIX) ? configKey.slice(FEATURE_GATE_PREFIX.length) : undefined;
}

/**
 * The spec for a step's setting. A `featureGates.<Gate>` key is a boolean
 * that the kubelet also takes from `--feature-gates=<Gate>=…` (flag gates
 * override config gates). Unknown settings are read as strings and have no
 * known default.
 */
export function kubeletSettingSpec(configKey: string | undefined, flag: string | undefined): KubeletSettingSpec {
  const gate = featureGateOf(configKey);
  if (gate !== undefined) {
    const known = FEATURE_GATE_DEFAULTS[gate];
    return { configKey, flag: flag ?? '--feature-gates', type: 'boolean', configDefault: known, commandLineDefault: known, zeroInConfigMeansDefault: false };
  }
  const found = KUBELET_SETTINGS.find(
    (s) => (configKey !== undefined && s.configKey === configKey) || (configKey === undefined && flag !== undefined && s.flag === flag),
  );
  // The step decides whether a config key exists (4.2.7 and the --feature-gates list are flag-only); a flag the step omits is still one the kubelet reads.
  if (found) return { ...found, configKey, flag: flag ?? found.flag };
  return { configKey, flag, type: 'string', configDefault: undefined, commandLineDefault: undefined, zeroInConfigMeansDefault: false };
}
