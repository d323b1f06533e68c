// Entry of the shipped `lvmsnap` module: the real host, the --check rehearsal, WANT_JSON. No test switches.
import { RealHost } from '../host-real.js';
import { rehearse } from '../rehearse.js';
import { runModule } from './module.js';
import { runProtocol } from './protocol.js';

void runProtocol((args) => runModule(args, { host: new RealHost(), rehearse }));
