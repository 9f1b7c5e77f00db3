import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { leadCreated, makeMessage, manyLeadsCreated } from '../../../test/stubs/notice-fixtures.ts';
import { createLogChannel } from './create-log-channel.ts';

function memoryLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ base: null, timestamp: false }, { write: (line: string) => lines.push(line) }), lines };
}

describe('createLogChannel', () => {
  it('when a lead is sent, then one info line points to it with ids and facts but no name or contact details', async () => {
    const { logger, lines } = memoryLogger();

    const result = await createLogChannel(logger).send(makeMessage([leadCreated()], 'evt-1:log'));

    expect(result).toEqual({ providerMessageId: null });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      level: 30,
      channel: 'log',
      messageKey: 'evt-1:log',
      notices: [
        {
          kind: 'lead.created',
          eventId: 'evt-1',
          leadId: '0196a1b2-0000-7000-8000-000000000001',
          quality: 'hot',
          score: 87,
          source: 'contact_form',
          slaDeadline: '2025-05-01T14:15:00.000Z',
          adminUrl: 'http://127.0.0.1:3000/admin#/leads/0196a1b2-0000-7000-8000-000000000001',
        },
      ],
      msg: 'New HOT lead from contact_form: http://127.0.0.1:3000/admin#/leads/0196a1b2-0000-7000-8000-000000000001',
    });
    expect(lines[0]).not.toContain('Ada Lovelace');
    expect(lines[0]).not.toContain('ada@example.com');
    expect(lines[0]).not.toContain('+442071838750');
    expect(lines[0]).not.toContain('analytical engine');
  });

  it('when a nameless lead is sent, then the log never falls back to its email or phone', async () => {
    const { logger, lines } = memoryLogger();

    await createLogChannel(logger).send(makeMessage([leadCreated({ name: null })]));

    expect(JSON.parse(lines[0] ?? '').msg).toMatch(/^New HOT lead from contact_form: http/);
    expect(lines[0]).not.toMatch(/ada@example\.com|\+442071838750/);
  });

  it('when several notices are sent together, then one line lists every one of them by quality and id', async () => {
    const { logger, lines } = memoryLogger();
    const notices = manyLeadsCreated(3);

    await createLogChannel(logger).send(makeMessage(notices));

    const line = JSON.parse(lines[0] ?? '');
    expect(line.msg).toMatch(/^3 new leads: /);
    for (const notice of notices) if ('lead' in notice) expect(line.msg).toContain(notice.lead.id);
    expect(line.msg).not.toContain('Lead 0001');
  });

  it('when the channel is created, then it coalesces up to 50 and never waits', async () => {
    const channel = createLogChannel(memoryLogger().logger);

    expect(channel).toMatchObject({ name: 'log', destination: 'log', maxNoticesPerMessage: 50, minIntervalMs: 0, maxConcurrentSends: 50 });
    await expect(channel.check()).resolves.toBeUndefined();
  });

  it('when a message has no notices, then send fails with a permanent format error', async () => {
    const channel = createLogChannel(memoryLogger().logger);

    await expect(channel.send({ notices: [], messageKey: 'k' })).rejects.toMatchObject({
      name: 'ChannelError',
      kind: 'permanent',
      providerCode: 'format',
    });
  });
});
