import { defineConfig } from 'astro/config';

export default defineConfig({
  site: 'https://${{ values.domain }}',
  output: '${{ 'hybrid' if values.framework == 'hybrid' else 'static' }}',
});
