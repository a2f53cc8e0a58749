import { CreateDateColumn, UpdateDateColumn } from 'typeorm';

// Millisecond precision, so a created_at read into a JS Date compares equal to the stored value
// (keyset pagination depends on it).
export const CreatedAt = () =>
  CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 });
export const UpdatedAt = () =>
  UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 });
