import { constantOf, PhoneNumber } from '@meridian/kernel';
import { createInMemoryDocumentStore, smsGatewayContract } from '@meridian/kernel/testing';
import test from 'ava';
import { createEmbeddedSmsGateway, embeddedSmsMessages, type EmbeddedSms } from './embedded.ts';

smsGatewayContract(test, {
  name: 'embedded',
  open: async () => {
    const documents = createInMemoryDocumentStore();
    return {
      gateway: createEmbeddedSmsGateway({ documents }),
      sent: async () =>
        (await documents.query(embeddedSmsMessages.name, { limit: 1000 })).documents
          .map(({ document }) => document as EmbeddedSms)
          .filter((sms) => sms.state === 'sent')
          .map(({ to, body }) => ({ to, body })),
      unreachable: constantOf(PhoneNumber, '+9991234567'),
      close: () => documents.close(),
    };
  },
});
