module git.lumen.example.com/${{ values.destination.owner }}/${{ values.destination.repo }}

go 1.22

require git.lumen.example.com/platform/lumen-sdk-go v1.14.0
