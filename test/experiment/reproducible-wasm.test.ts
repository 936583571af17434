import { reproducibilitySuite } from './cases';

reproducibilitySuite('wasm');
