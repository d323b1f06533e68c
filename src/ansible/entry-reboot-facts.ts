// Entry of the shipped `lvmsnap_reboot_facts` module: the real host, WANT_JSON.
import { RealHost } from '../host-real.js';
import { runProtocol } from './protocol.js';
import { runRebootFacts } from './reboot-facts.js';

void runProtocol((args) => runRebootFacts(args, { host: new RealHost() }));
