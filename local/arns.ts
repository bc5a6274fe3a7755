export { executionArnOf } from '../functions/shared/arns.ts';
