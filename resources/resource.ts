// The one shape every resource has. observe is pure over the observation pass; create and destroy return
// the side effects as data (Steps) so that plan, --check and apply share one path.
import type { Facts } from '../src/facts.js';
import type { ResourceKind, ResourceView, Step } from '../src/types.js';

export interface Resource {
  readonly kind: ResourceKind;
  /**
   * Classify what the system shows for this resource. Must not claim ownership of anything lvmsnap
   * cannot prove it created (tags, journal, a loop bound to our own file): such things are 'foreign'.
   */
  observe(f: Facts): ResourceView;
  /**
   * Steps that take the resource from `view` (absent or partial) to present, assuming every upstream
   * resource is present. Contract: after any prefix of these steps, observe() classifies the result as
   * absent, partial or present, never foreign, so a rerun in either direction converges.
   * `rebuilt`: this plan destroys the resource first (view.status is then 'absent'), so what was
   * observed of it (a file, a directory) is gone by the time these steps run.
   */
  create(f: Facts, view: ResourceView, rebuilt?: boolean): readonly Step[];
  /**
   * Steps that take the resource from present, partial or degraded to absent, assuming every downstream
   * resource is already absent. Never touches a foreign object. Same prefix contract as create.
   */
  destroy(f: Facts, view: ResourceView): readonly Step[];
}

export const view = (
  kind: ResourceKind,
  id: string,
  status: ResourceView['status'],
  observed: ResourceView['observed'] = null,
  reason?: string,
): ResourceView => (reason === undefined ? { kind, id, status, observed } : { kind, id, status, observed, reason });

export const exec = (argv: readonly string[], progress = false): Step => (progress ? { type: 'exec', argv, progress } : { type: 'exec', argv });
