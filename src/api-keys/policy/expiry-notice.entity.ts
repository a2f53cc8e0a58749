import { Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAt } from '../../common/timestamps';
import { ApiKey } from '../api-key.entity';

/**
 * An `api_key.expiring` notice already recorded: the primary key makes it once per key, threshold
 * (7 or 1 days left) and expiry date, however many instances run the job and however often.
 */
@Entity('api_key_expiry_notices')
export class ExpiryNotice {
  @PrimaryColumn({ name: 'key_id', type: 'uuid' })
  keyId: string;

  @PrimaryColumn({ name: 'days_left', type: 'smallint' })
  daysLeft: number;

  @PrimaryColumn({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;

  @CreatedAt()
  createdAt: Date;

  @ManyToOne(() => ApiKey, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'key_id' })
  key?: ApiKey;
}
