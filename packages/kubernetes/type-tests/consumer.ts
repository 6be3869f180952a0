// Compiled by `pnpm run check:types-strict` with skipLibCheck false, as a consumer's strict build
// would: every declaration file the public types reach must type-check with only the package's
// own dependencies installed.
import * as kubernetes from '@ballast/kubernetes';

export const load: typeof kubernetes.loadKubeConfig = kubernetes.loadKubeConfig;
export type Input = kubernetes.KubeConfigInput;
export type Options = kubernetes.CollectWorkloadSnapshotOptions;
