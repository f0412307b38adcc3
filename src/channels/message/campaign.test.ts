import { describe, expect, it } from 'vitest';
import { campaignDomain } from './campaign-operations.ts';
import {
  campaignSettingsIssues,
  DEFAULT_CAMPAIGN_SETTINGS,
  readCampaignSettings,
} from './campaign-settings.ts';
import { campaignSender } from './campaign-store.ts';

describe('campaign settings (MESSAGE_CAMPAIGN, I1)', () => {
  it('defaults each missing or bad key, and reports bad keys by path', () => {
    expect(readCampaignSettings({})).toEqual(DEFAULT_CAMPAIGN_SETTINGS);
    expect(readCampaignSettings({ campaign: { minSenders: 5, windowMinutes: 'x' } })).toEqual({
      ...DEFAULT_CAMPAIGN_SETTINGS,
      minSenders: 5,
    });
    expect(campaignSettingsIssues({ campaign: { minSenders: 5 } })).toEqual([]);
    expect(
      campaignSettingsIssues({ campaign: { minSenders: 1, colour: 'red' } })
        .map((i) => i.path)
        .sort(),
    ).toEqual(['settings.campaign', 'settings.campaign.minSenders']);
    expect(campaignSettingsIssues({ campaign: { windowMinutes: 600, retentionMinutes: 60 } })).toEqual([
      expect.objectContaining({ path: 'settings.campaign.retentionMinutes' }),
    ]);
  });
});

describe('campaign senders and domains', () => {
  it('counts a number once whatever its form; sender IDs upper case, handles lower case', () => {
    expect(campaignSender('090-1234-5678', 'sms')).toBe('+819012345678');
    expect(campaignSender('+819012345678', 'sms')).toBe('+819012345678');
    expect(campaignSender('Rakuten', 'sms')).toBe('RAKUTEN');
    expect(campaignSender('@Recruit_1', 'dm')).toBe(campaignSender('@recruit_1', 'dm'));
  });

  it('lists the attacker’s domain, never a shortener, a shared platform or a brand’s own domain', () => {
    expect(campaignDomain('login.evil-bank.top')).toEqual({ domain: 'evil-bank.top' });
    expect(campaignDomain('evil.duckdns.org')).toEqual({ domain: 'evil.duckdns.org' });
    expect(campaignDomain('bit.ly')).toEqual({ skipped: 'bit.ly' });
    expect(campaignDomain('sites.google.com')).toEqual({ skipped: 'sites.google.com' });
    expect(campaignDomain('x.weebly.com')).toEqual({ skipped: 'weebly.com' });
    expect('domain' in campaignDomain('www.amazon.co.jp')).toBe(false);
  });
});
