// drizzle-kit configuration: `npx drizzle-kit generate --name <change>` writes SQL migrations from db/schema.ts
// into db/migrations; the application applies them with migrateDatabase() (db/client.ts), never with `push`.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: ['./db/schema.ts', './db/sweep-schema.ts', './db/alerts-schema.ts', './db/model-history-schema.ts'],
  out: './db/migrations',
  strict: true,
  verbose: true,
});
