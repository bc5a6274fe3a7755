// Unit tests never reach a network: fixed region, dummy credentials, a table name for config().
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'unit';
process.env.AWS_SECRET_ACCESS_KEY = 'unit';
process.env.TABLE_NAME = 'unit-table';
process.env.PUBLIC_BASE_URL = 'https://console.test';
