import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { SwrClient } from '@huaweicloud/huaweicloud-sdk-swr';
import { createAnchor } from './anchor.js';

export const handler = createAnchor('huawei', (scanner, env) =>
  SwrClient.newBuilder()
    .withCredential(
      new BasicCredentials()
        .withAk(env.HUAWEICLOUD_SDK_AK ?? 'anchor-ak')
        .withSk(env.HUAWEICLOUD_SDK_SK ?? 'anchor-sk')
        .withProjectId('0000000000000000000000000000anchor'),
    )
    .withEndpoint(scanner.endpoint ?? `https://swr-api.${scanner.region}.myhuaweicloud.com`)
    .build(),
);
