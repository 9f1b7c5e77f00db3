import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../test/stubs/wait-for.ts';
import { createLogger } from './create-logger.ts';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

describe('createLogger', () => {
  it('when the format is pretty, then lines are readable text, not JSON, and personal data is still censored', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', format: 'pretty', destination: out.stream });
    logger.info({ lead: { email: 'pretty.person@example.com', phone: '+15551234567' }, leadId: 'lead-1' }, 'lead captured');
    logger.flush();
    await waitFor(() => out.text().includes('lead captured'), 2_000, 'the pretty line');
    expect(out.text()).not.toMatch(/^\{/);
    expect(out.text()).toContain('INFO');
    expect(out.text()).toContain('lead-1');
    expect(out.text()).not.toContain('pretty.person@example.com');
    expect(out.text()).not.toContain('+15551234567');
    expect(out.text()).toContain('[redacted]');
  });

  it('when the format is json, then each line is a JSON object with the fields censored', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', format: 'json', destination: out.stream });
    logger.info({ lead: { email: 'json.person@example.com' } }, 'lead captured');
    await waitFor(() => out.text().includes('\n'), 2_000, 'the JSON line');
    const line = JSON.parse(out.text().trim()) as { msg: string; lead: { email: string } };
    expect(line.msg).toBe('lead captured');
    expect(line.lead.email).toBe('[redacted]');
  });
});
