// `npm run db:schema`: migrates an empty database and writes db/schema.sql from it.
import { writeFileSync } from 'node:fs';
import { openDatabase } from '../server/storage/sqlite/database';
import { dumpSchema, migrate } from '../server/storage/sqlite/migrate';

const db = openDatabase(':memory:');
migrate(db);
const target = new URL('./schema.sql', import.meta.url).pathname;
writeFileSync(target, dumpSchema(db));
db.close();
console.log(`wrote ${target}`);
