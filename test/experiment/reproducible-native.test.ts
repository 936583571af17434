import { reproducibilitySuite } from './cases';

reproducibilitySuite('native');
