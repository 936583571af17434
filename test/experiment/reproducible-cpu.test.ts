import { reproducibilitySuite } from './cases';

reproducibilitySuite('cpu');
