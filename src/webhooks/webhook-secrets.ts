import { Injectable } from '@nestjs/common';
import { ServerSecrets } from '../secrets/server-secrets';
import { newSigningSecret, SecretBox } from './secret-box';

/** Seals and opens endpoints' signing secrets with the key from WEBHOOK_SECRETS_KEY (or the database's). */
@Injectable()
export class WebhookSecrets {
  private box?: Promise<SecretBox>;

  constructor(private readonly serverSecrets: ServerSecrets) {}

  /** A new secret and its sealed form, bound to the endpoint id. */
  async issue(endpointId: string): Promise<{ secret: string; sealed: string }> {
    const secret = newSigningSecret();
    return { secret, sealed: (await this.getBox()).seal(secret, endpointId) };
  }

  async open(sealed: string, endpointId: string): Promise<string> {
    return (await this.getBox()).open(sealed, endpointId);
  }

  private getBox(): Promise<SecretBox> {
    this.box ??= this.serverSecrets.get('WEBHOOK_SECRETS_KEY').then((key) => new SecretBox(key));
    this.box.catch(() => (this.box = undefined));
    return this.box;
  }
}
