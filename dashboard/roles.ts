// The roles a user or token can have, in the order the admin page offers them.
import { roleSchema } from '../protocol/api';

export const ROLES = roleSchema.options;
