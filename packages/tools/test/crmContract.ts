import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmDirectory } from '../src/crm.js';
import { money } from '../src/money.js';

export interface ContractSubject {
  readonly crm: CrmDirectory;
  readonly close?: () => Promise<void>;
}

/**
 * The behaviour every CrmDirectory adapter must have, against the sample data of migration
 * 001_crm (`sampleCrmData()` for the in-memory one). Run once per adapter.
 */
export function crmDirectoryContract(adapter: string, open: () => Promise<ContractSubject>): void {
  describe(`CrmDirectory contract: ${adapter}`, () => {
    let subject: ContractSubject;
    const crm = () => subject.crm;

    beforeAll(async () => {
      subject = await open();
    });
    afterAll(async () => {
      await subject.close?.();
    });

    it('finds an order with its lines and exact money', async () => {
      const order = await crm().findOrder('tenant-a', '1001');
      expect(order).toEqual({
        tenantId: 'tenant-a',
        id: '1001',
        customerId: 'cust-42',
        status: 'paid',
        total: money(49_990_000n, 'EUR'),
        placedAt: new Date('2026-11-02T09:12:00Z'),
        deliveredAt: null,
        lines: [{ lineNo: 1, sku: 'HP-200', description: 'Wireless headphones', quantity: 1, unitPrice: money(49_990_000n, 'EUR') }],
      });
      const delivered = await crm().findOrder('tenant-a', '1002');
      expect(delivered?.deliveredAt).toEqual(new Date('2026-10-23T11:20:00Z'));
      expect(delivered?.lines.map((line) => [line.lineNo, line.sku, line.quantity])).toEqual([
        [1, 'CBL-USB-C', 2],
        [2, 'STD-01', 1],
      ]);
      expect((await crm().findOrder('tenant-a', '1007'))?.total).toEqual(money(1_500_000_000n, 'JPY'));
    });

    it('keeps tenants apart: the same ids of another tenant are other records, an unknown tenant sees nothing', async () => {
      expect(await crm().findOrder('tenant-b', '1001')).toMatchObject({ tenantId: 'tenant-b', total: money(15_000_000n, 'USD'), status: 'delivered' });
      expect(await crm().findCustomer('tenant-b', 'cust-42')).toMatchObject({ name: 'Bruno Diaz', tier: 'STANDARD' });
      expect(await crm().findOrder('tenant-b', '1002')).toBeUndefined();
      expect(await crm().findOrder('no-such-tenant', '1001')).toBeUndefined();
      expect(await crm().paymentsOfOrder('no-such-tenant', '1001')).toEqual([]);
      expect(await crm().ordersOfCustomer('tenant-b', 'cust-42', 10)).toHaveLength(1);
      expect(await crm().activeSubscription('tenant-b', 'cust-42')).toBeUndefined();
    });

    it('returns undefined or nothing for unknown ids, including hostile ones', async () => {
      expect(await crm().findOrder('tenant-a', '9999')).toBeUndefined();
      expect(await crm().findOrder('tenant-a', "1001' OR '1'='1")).toBeUndefined();
      expect(await crm().findCustomer('tenant-a', 'cust-404')).toBeUndefined();
      expect(await crm().paymentsOfOrder('tenant-a', '9999')).toEqual([]);
      expect(await crm().ordersOfCustomer('tenant-a', 'cust-9', 5)).toEqual([]);
    });

    it('lists a customer’s orders newest first, up to the limit', async () => {
      expect((await crm().ordersOfCustomer('tenant-a', 'cust-42', 10)).map((order) => order.id)).toEqual(['1003', '1001', '1002']);
      expect((await crm().ordersOfCustomer('tenant-a', 'cust-42', 2)).map((order) => order.id)).toEqual(['1003', '1001']);
      const [latest] = await crm().ordersOfCustomer('demo-tenant', 'cust-8', 1);
      expect(latest).toMatchObject({ id: '1007', tenantId: 'demo-tenant', lines: [{ sku: 'TEA-G', quantity: 3 }] });
    });

    it('refuses a limit outside 1..100', async () => {
      for (const limit of [0, -1, 101, 1.5]) {
        await expect(crm().ordersOfCustomer('tenant-a', 'cust-42', limit)).rejects.toMatchObject({ code: 'CRM_INVALID_LIMIT', retriable: false });
      }
    });

    it('finds a customer', async () => {
      expect(await crm().findCustomer('tenant-a', 'cust-42')).toEqual({
        tenantId: 'tenant-a',
        id: 'cust-42',
        name: 'Ada Lovelace',
        email: 'ada.lovelace@example.invalid',
        tier: 'VIP',
        status: 'active',
        createdAt: new Date('2023-03-14T10:00:00Z'),
      });
      expect(await crm().findCustomer('tenant-a', 'cust-9')).toMatchObject({ status: 'closed' });
    });

    it('lists payments oldest first: the double charge of 1001, charge then refund of 1005', async () => {
      const payments = await crm().paymentsOfOrder('tenant-a', '1001');
      expect(payments).toEqual([
        { tenantId: 'tenant-a', id: 'pay-1001-a', orderId: '1001', kind: 'charge', amount: money(49_990_000n, 'EUR'), capturedAt: new Date('2026-11-02T09:12:31Z') },
        { tenantId: 'tenant-a', id: 'pay-1001-b', orderId: '1001', kind: 'charge', amount: money(49_990_000n, 'EUR'), capturedAt: new Date('2026-11-02T09:12:33Z') },
      ]);
      expect((await crm().paymentsOfOrder('tenant-a', '1005')).map((payment) => [payment.kind, payment.amount.amountMicros])).toEqual([
        ['charge', 100_000_000n],
        ['refund', 25_000_000n],
      ]);
    });

    it('finds the active subscription only', async () => {
      expect(await crm().activeSubscription('tenant-a', 'cust-42')).toEqual({
        tenantId: 'tenant-a',
        id: 'sub-42',
        customerId: 'cust-42',
        plan: 'premium-monthly',
        price: money(29_990_000n, 'EUR'),
        periodStart: '2026-11-01',
        periodEnd: '2026-12-01',
        status: 'active',
      });
      expect(await crm().activeSubscription('tenant-a', 'cust-7')).toBeUndefined();
      expect(await crm().activeSubscription('tenant-a', 'cust-8')).toMatchObject({ id: 'sub-8', price: money(120_000_000n, 'GBP'), periodEnd: '2027-06-01' });
    });
  });
}
