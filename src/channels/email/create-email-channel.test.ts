import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, sendError } from '../../../test/stubs/channel-test-helpers.ts';
import { leadCreated, makeMessage } from '../../../test/stubs/notice-fixtures.ts';
import { startSmtpStub } from '../../../test/stubs/start-smtp-stub.ts';
import type { SmtpStub } from '../../../test/stubs/start-smtp-stub.ts';
import type { Channel } from '../channel.ts';
import { createEmailChannel } from './create-email-channel.ts';
import type { EmailChannelOptions } from './create-email-channel.ts';
import { formatEmailMessage } from './format-email-message.ts';

describe('createEmailChannel against the SMTP stub', () => {
  let stub: SmtpStub;
  const channels: Channel[] = [];
  function channelFor(overrides: Partial<EmailChannelOptions> = {}): Channel {
    const channel = createEmailChannel({
      host: stub.host,
      port: stub.port,
      secure: false,
      from: 'Leadline <leads@example.com>',
      to: ['sales@example.com', 'owner@example.com'],
      timeoutMs: 2000,
      ...overrides,
    });
    channels.push(channel);
    return channel;
  }

  beforeEach(async () => {
    stub = await startSmtpStub({ credentials: { user: 'leadline', pass: 'secret' } });
  });
  afterEach(async () => {
    await Promise.all(channels.splice(0).map((channel) => channel.close?.()));
    await stub.close();
  });

  it('when a lead is sent, then the server receives the formatted message with a Message-ID from the key', async () => {
    const channel = channelFor({ user: 'leadline', pass: 'secret' });
    const message = makeMessage([leadCreated()], 'evt-1:email');
    const expected = formatEmailMessage(message);

    const result = await channel.send(message);

    expect(result).toEqual({ providerMessageId: '<evt-1=3Aemail@leadline>' });
    expect(stub.received).toHaveLength(1);
    const [mail] = stub.received;
    expect(mail).toMatchObject({
      mailFrom: 'leads@example.com',
      rcptTo: ['sales@example.com', 'owner@example.com'],
      user: 'leadline',
      subject: 'New HOT lead: Ada Lovelace',
      messageId: '<evt-1=3Aemail@leadline>',
      text: expected.text,
      html: expected.html,
      responseCode: 250,
    });
    expect(mail?.headers.get('from')).toBe('Leadline <leads@example.com>');
    expect(mail?.headers.get('to')).toBe('sales@example.com, owner@example.com');
    expect(mail?.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('when a name needs encoding, then the subject arrives intact', async () => {
    const channel = channelFor();

    await channel.send(makeMessage([leadCreated({ name: 'Zoë <Ünal> & Ōtani' })]));

    expect(stub.received[0]?.subject).toBe('New HOT lead: Zoë <Ünal> & Ōtani');
  });

  it('when the server answers 451 once, then the send fails transient and the next one is delivered', async () => {
    stub.script({ responseCode: 451, message: '4.3.0 Try again later' });
    const channel = channelFor();
    const message = makeMessage([leadCreated()], 'evt-2:email');

    const error = await sendError(channel.send(message));
    await channel.send(message);

    expect(error).toMatchObject({ kind: 'transient', providerCode: 'SMTP 451' });
    expect(stub.received.map((mail) => mail.responseCode)).toEqual([451, 250]);
    // The retry carries the same Message-ID, so the inbox can tell it is the same message.
    expect(new Set(stub.received.map((mail) => mail.messageId))).toEqual(new Set(['<evt-2=3Aemail@leadline>']));
  });

  it.each([421, 450, 452])('when the server answers %i, then the error is transient', async (responseCode) => {
    stub.script({ responseCode, message: 'busy' });

    const error = await sendError(channelFor().send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'transient', providerCode: `SMTP ${responseCode}` });
  });

  it('when the server answers 550, then the error is permanent with code SMTP 550', async () => {
    stub.script({ responseCode: 550, message: '5.7.1 Message rejected as spam' });

    const error = await sendError(channelFor().send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'permanent', providerCode: 'SMTP 550' });
    expect(error.message).toContain('5.7.1 Message rejected as spam');
  });

  it('when the only recipient is rejected, then the error is permanent', async () => {
    stub.script({ responseCode: 550, message: '5.1.1 No such user', stage: 'rcpt' });

    const error = await sendError(channelFor({ to: ['nobody@example.com'] }).send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'permanent', providerCode: 'SMTP 550' });
    expect(stub.received).toHaveLength(0);
  });

  it('when the credentials are wrong, then the error is permanent', async () => {
    const error = await sendError(channelFor({ user: 'leadline', pass: 'wrong' }).send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'permanent', providerCode: 'SMTP 535' });
  });

  it('when TLS is required and the server offers no STARTTLS, then nothing is sent in clear text and the error is permanent', async () => {
    const channel = channelFor({ user: 'leadline', pass: 'secret', requireTls: true });
    const error = await sendError(channel.send(makeMessage([leadCreated()])));
    expect(error).toMatchObject({ name: 'ChannelError', kind: 'permanent' });
    expect(stub.received).toHaveLength(0);
  });

  it('when nothing listens on the SMTP port, then the error is transient', async () => {
    const channel = channelFor({ port: await closedPort() });

    const error = await sendError(channel.send(makeMessage([leadCreated()])));

    expect(error.kind).toBe('transient');
    expect(['ECONNECTION', 'ESOCKET', 'ECONNREFUSED']).toContain(error.providerCode);
  });

  it('when the daily digest is sent, then it goes to the digest recipients', async () => {
    const channel = channelFor({ digestTo: ['boss@example.com'] });

    await channel.send(makeMessage([{ kind: 'digest', eventId: 'd', subject: 'Digest', text: 'T', html: '<p>H</p>' }]));

    expect(stub.received[0]?.rcptTo).toEqual(['boss@example.com']);
    expect(stub.received[0]?.html).toBe('<p>H</p>');
  });

  it('when the health check runs, then it verifies the connection without sending mail', async () => {
    await channelFor({ user: 'leadline', pass: 'secret' }).check();
    const down = channelFor({ port: await closedPort() });

    await expect(down.check()).rejects.toMatchObject({ kind: 'transient' });
    expect(stub.received).toHaveLength(0);
  });

  it('when the channel is created, then it sends one message at a time, summarises a backlog and needs no pacing', () => {
    const channel = channelFor();

    expect(channel).toMatchObject({ name: 'email', maxNoticesPerMessage: 50, minIntervalMs: 0, maxConcurrentSends: 1 });
    expect(channel.destination).toBe('email:sales@example.com,owner@example.com');
  });
});
